#!/usr/bin/env node
/**
 * `webpubsub-emulator`: runs the emulator until SIGINT or SIGTERM. The first line on stdout is the connection
 * string; everything else goes to stderr. `--ready-file <path>` also writes the connection string to a file, for a
 * script that starts the emulator in the background and waits for the file.
 *
 * Faults come from the environment, so a drill needs no code change:
 * WEBPUBSUB_EMULATOR_FAULT_RATE (0–1), WEBPUBSUB_EMULATOR_FAULT_KINDS (comma-separated: throttle, unavailable,
 * reset, latency), WEBPUBSUB_EMULATOR_FAULT_RETRY_AFTER_SECONDS, WEBPUBSUB_EMULATOR_FAULT_LATENCY_MS.
 * WEBPUBSUB_EMULATOR_ACCESS_KEY sets the key without showing it in the process list.
 */
import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../shared/errors.js';
import { Emulator } from './emulator.js';
import type { EmulatorOptions } from './emulatorOptions.js';
import { CLIENT_FAULT_KINDS, resolveClientFaults, type ClientFaultKind, type ClientFaultOptions } from './faults/clientFaults.js';
import { DEFAULT_FAULT_KINDS, FAULT_KINDS, type FaultKind, type FaultOptions } from './faults/faultOptions.js';

const DEFAULT_PORT = 8080;
const USAGE = `Usage: webpubsub-emulator [--port <n>] [--host <address>] [--access-key <key>] [--config <file>] [--ready-file <path>] [--state <file>] [--no-ui] [--ui-allowed-hosts <names>] [--ui-remote] [--loose] [--accept-entra-tokens] [--verbose]
       [--client-faults <kinds> --client-fault-every-ms <n> [--client-fault-share <0-1>]]

A local Azure Web PubSub service: the REST data plane and client WebSockets.
Prints the connection string on stdout, then runs until Ctrl+C (SIGINT) or SIGTERM.

  --port <n>             TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>       interface to listen on (default 127.0.0.1)
  --access-key <key>     the access key (default: random; or set WEBPUBSUB_EMULATOR_ACCESS_KEY)
  --config <file>        a JSON file with upstream event handlers per hub, as startEmulator's options:
                         {"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "http://127.0.0.1:3000/api/{event}",
                         "userEventPattern": "*", "systemEvents": ["connect", "connected", "disconnected"]}]}}}
                         and optionally "upstream": {"timeoutMs": 100000, "retryDelaysMs": [1000, 3000, 5000]}
  --ready-file <path>    once listening, write the connection string to <path> (whole at once: a temporary file,
                         then a rename; readable by the owner only), and remove it on shutdown. For a script that
                         starts the emulator in the background: wait until <path> exists, then read it
  --state <file>         keep users' groups, REST permission grants and the hubs' event handlers in <file> across
                         restarts (written crash-safely, loaded on start; a user's first connection after a restart
                         gets their groups back). A file that is not the emulator's state stops the start
  --no-ui                do not serve the live view. By default the emulator's root (http://<host>:<port>/) is a
                         page showing hubs, connections, groups, grants and a live feed, to this machine only
  --ui-allowed-hosts <names>  comma-separated host names the live view answers to besides localhost and IP
                         addresses (a leading dot allows subdomains: .example.test); others are refused (DNS rebinding)
  --ui-remote            let clients on other machines open the live view (default: loopback only)
  --loose                ignore what the emulator does not implement instead of refusing it
  --accept-entra-tokens  accept Microsoft Entra bearer tokens on REST calls (aud and expiry checked, not the signature)
  --verbose              log every request and connection to stderr
  --client-faults <kinds>           a drill of client-connection faults, comma-separated from
                                    ${CLIENT_FAULT_KINDS.join(',')} (or all): every --client-fault-every-ms one
                                    kind strikes a share of the open connections (a drop cuts the TCP socket, halfOpen
                                    silences it, close closes it as the REST API does, expireTokens refuses the
                                    client tokens seen so far)
  --client-fault-every-ms <n>       the time between waves (required with --client-faults)
  --client-fault-share <0-1>        the share of connections a wave strikes (default 0.5, at least one)

Fault injection for drills (environment):
  WEBPUBSUB_EMULATOR_FAULT_RATE                 share of REST requests that fail, 0 to 1
  WEBPUBSUB_EMULATOR_FAULT_KINDS                ${FAULT_KINDS.join(',')} (default: ${DEFAULT_FAULT_KINDS.join(',')};
                                                lostResponse carries a request out, then resets instead of answering)
  WEBPUBSUB_EMULATOR_FAULT_RETRY_AFTER_SECONDS  Retry-After of a 429 (default 1)
  WEBPUBSUB_EMULATOR_FAULT_LATENCY_MS           delay of a latency fault (default 500)
`;

/** What the command line asks for. */
interface Settings {
  options: EmulatorOptions;
  /** `--client-faults`: the drill started once listening. */
  clientFaults: ClientFaultOptions | undefined;
  /** `--ready-file`: where to write the connection string once listening. */
  readyFile: string | undefined;
}

async function main(): Promise<void> {
  let settings: Settings | 'help';
  try {
    settings = readSettings(process.argv.slice(2), process.env);
  } catch (error) {
    // A state file that cannot be used is not a misuse of the flags: its error alone, worded for the flag.
    const { argument, message } = error as InvalidArgumentError;
    const state = argument === 'options.state';
    const text = state ? `--state${message.slice(argument.length)}` : (error as Error).message;
    process.stderr.write(`webpubsub-emulator: ${text}\n${state ? '' : `\n${USAGE}`}`);
    process.exitCode = 2;
    return;
  }
  if (settings === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { options, readyFile, clientFaults } = settings;
  const emulator = new Emulator(options);
  await emulator.start();
  if (clientFaults) emulator.setClientFaults(clientFaults);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`webpubsub-emulator: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`webpubsub-emulator: ${signal}, shutting down\n`);
    // A ready file left behind would tell the next run's script that an emulator is listening.
    Promise.all([emulator.close(), readyFile === undefined ? undefined : rm(readyFile, { force: true })]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`webpubsub-emulator: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Printed only once the handlers are in place: whoever reads the line may signal at once.
  process.stdout.write(`${emulator.connectionString}\n`);
  if (readyFile !== undefined) {
    try {
      await writeReadyFile(readyFile, emulator.connectionString);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      process.stderr.write(`webpubsub-emulator: --ready-file: cannot write ${readyFile} (${code ?? message})\n`);
      await emulator.close();
      process.exit(1);
    }
  }
  const faults = options.faults ? `; faults: ${options.faults.rate} of requests (${(options.faults.kinds ?? DEFAULT_FAULT_KINDS).join(', ')})` : '';
  const drill = clientFaults ? `; client faults (${clientFaults.kinds!.join(', ')}) every ${clientFaults.everyMs} ms` : '';
  process.stderr.write(`webpubsub-emulator: listening on ${emulator.endpoint}${faults}${drill}; Ctrl+C stops it\n`);
  if (emulator.liveViewUrl) process.stderr.write(`webpubsub-emulator: live view on ${emulator.liveViewUrl}\n`);
  if (options.state !== undefined) process.stderr.write(`webpubsub-emulator: state kept in ${options.state}\n`);
}

/**
 * Writes the connection string to `path` so that a reader sees the whole file or none: a temporary file in the
 * same directory, renamed over `path`. Owner-only, since the connection string holds the access key.
 */
async function writeReadyFile(path: string, connectionString: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${connectionString}\n`, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Reads the command line and the environment.
 * @throws InvalidArgumentError naming the flag or variable.
 */
function readSettings(args: string[], env: NodeJS.ProcessEnv): Settings | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'access-key': { type: 'string' },
      config: { type: 'string' },
      'ready-file': { type: 'string' },
      state: { type: 'string' },
      'no-ui': { type: 'boolean' },
      'ui-allowed-hosts': { type: 'string' },
      'ui-remote': { type: 'boolean' },
      loose: { type: 'boolean' },
      'accept-entra-tokens': { type: 'boolean' },
      verbose: { type: 'boolean' },
      'client-faults': { type: 'string' },
      'client-fault-every-ms': { type: 'string' },
      'client-fault-share': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const options: EmulatorOptions = {
    port: values.port === undefined ? DEFAULT_PORT : integer('--port', values.port),
    host: values.host,
    accessKey: values['access-key'] ?? (env.WEBPUBSUB_EMULATOR_ACCESS_KEY || undefined),
    loose: values.loose ?? false,
    acceptEntraTokens: values['accept-entra-tokens'] ?? false,
    logger: values.verbose ? (line) => process.stderr.write(`webpubsub-emulator: ${line}\n`) : undefined,
    state: values.state,
    ui: liveView(values),
    ...(values.config !== undefined && readConfig(values.config)),
  };
  const rate = env.WEBPUBSUB_EMULATOR_FAULT_RATE;
  if (rate !== undefined && rate !== '') {
    const faults: FaultOptions = { rate: Number(rate) };
    if (!/^\d*\.?\d+$/.test(rate)) throw new InvalidArgumentError('WEBPUBSUB_EMULATOR_FAULT_RATE', 'must be a number from 0 to 1');
    const kinds = env.WEBPUBSUB_EMULATOR_FAULT_KINDS;
    if (kinds) faults.kinds = kinds.split(',').map((kind) => kind.trim()) as FaultKind[];
    const retryAfter = env.WEBPUBSUB_EMULATOR_FAULT_RETRY_AFTER_SECONDS;
    if (retryAfter) faults.retryAfterSeconds = integer('WEBPUBSUB_EMULATOR_FAULT_RETRY_AFTER_SECONDS', retryAfter);
    const latency = env.WEBPUBSUB_EMULATOR_FAULT_LATENCY_MS;
    if (latency) faults.latencyMs = integer('WEBPUBSUB_EMULATOR_FAULT_LATENCY_MS', latency);
    options.faults = faults;
  }
  const readyFile = values['ready-file'];
  if (readyFile === '') throw new InvalidArgumentError('--ready-file', 'must be a path');
  const clientFaults = readClientFaults(values['client-faults'], values['client-fault-every-ms'], values['client-fault-share']);
  // Checks every value now, so a bad one is reported with the usage text.
  new Emulator(options);
  return { options, readyFile, clientFaults };
}

/**
 * Reads the client-fault flags, checked as the emulator checks them.
 * @throws InvalidArgumentError naming the flag.
 */
function readClientFaults(kinds: string | undefined, everyMs: string | undefined, share: string | undefined): ClientFaultOptions | undefined {
  if (kinds === undefined) {
    const stray = everyMs !== undefined ? '--client-fault-every-ms' : share !== undefined ? '--client-fault-share' : undefined;
    if (stray) throw new InvalidArgumentError(stray, 'applies only with --client-faults');
    return undefined;
  }
  if (everyMs === undefined) throw new InvalidArgumentError('--client-fault-every-ms', 'is required with --client-faults');
  const chosen = kinds === 'all' ? [...CLIENT_FAULT_KINDS] : kinds.split(',').map((kind) => kind.trim());
  const unknown = chosen.find((kind) => !(CLIENT_FAULT_KINDS as readonly string[]).includes(kind));
  if (unknown !== undefined)
    throw new InvalidArgumentError('--client-faults', `${JSON.stringify(unknown)} is not one of ${CLIENT_FAULT_KINDS.join(', ')}, all`);
  if (share !== undefined && !/^\d*\.?\d+$/.test(share)) throw new InvalidArgumentError('--client-fault-share', 'must be a number from 0 to 1');
  const options: ClientFaultOptions = {
    kinds: chosen as ClientFaultKind[],
    everyMs: integer('--client-fault-every-ms', everyMs),
    ...(share !== undefined && { share: Number(share) }),
  };
  try {
    resolveClientFaults(options);
  } catch (error) {
    const { argument, message } = error as InvalidArgumentError;
    throw new InvalidArgumentError(argument === 'clientFaults.share' ? '--client-fault-share' : '--client-fault-every-ms', message.slice(argument.length + 1));
  }
  return options;
}

/**
 * `--no-ui`, `--ui-allowed-hosts` and `--ui-remote` as the `ui` option.
 * @throws InvalidArgumentError when the live view is both turned off and configured.
 */
function liveView(values: { 'no-ui'?: boolean; 'ui-allowed-hosts'?: string; 'ui-remote'?: boolean }): EmulatorOptions['ui'] {
  const allowedHosts = values['ui-allowed-hosts']
    ?.split(',')
    .map((host) => host.trim())
    .filter((host) => host !== '');
  if (values['no-ui']) {
    if (allowedHosts !== undefined || values['ui-remote']) throw new InvalidArgumentError('--no-ui', 'cannot be given with --ui-allowed-hosts or --ui-remote');
    return false;
  }
  return { ...(allowedHosts && { allowedHosts }), ...(values['ui-remote'] && { allowRemote: true }) };
}

const CONFIG_SETTINGS = ['hubs', 'upstream'];

/**
 * Reads `--config`: a JSON object with `hubs` and `upstream`, checked later with the other options.
 * @throws InvalidArgumentError naming the flag, the file and what is wrong with it.
 */
function readConfig(path: string): Pick<EmulatorOptions, 'hubs' | 'upstream'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InvalidArgumentError('--config', code ? `cannot read ${path} (${code})` : `${path} is not JSON (${message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('--config', `${path} must hold a JSON object {"hubs": {...}}`);
  }
  const unknown = Object.keys(parsed).find((name) => !CONFIG_SETTINGS.includes(name));
  if (unknown !== undefined) throw new InvalidArgumentError('--config', `${path}: "${unknown}" is not a setting (the settings: ${CONFIG_SETTINGS.join(', ')})`);
  return parsed as Pick<EmulatorOptions, 'hubs' | 'upstream'>;
}

function integer(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(name, `must be a non-negative integer (got ${JSON.stringify(text)})`);
  return Number(text);
}

main().catch((error: unknown) => {
  process.stderr.write(`webpubsub-emulator: ${(error as Error).message}\n`);
  process.exit(1);
});

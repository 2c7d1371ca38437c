/**
 * The part of `@actions/core` the Action uses, written as `@actions/core` 3.0 writes it: inputs from `INPUT_*`,
 * workflow commands on stdout (`::add-mask::`, `::error::`, `::warning::`, `::debug::`), outputs and the job summary
 * appended to the runner's files. `@actions/core` itself loads only for the OIDC token: its HTTP client imports
 * the whole of undici (fetch, WebSocket, EventSource, the cache), which would otherwise be most of every step's
 * start-up.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { access, appendFile, constants } from 'node:fs/promises';
import { EOL } from 'node:os';
import type { ActionCore } from './core.js';

/** A value as a command carries it: strings as they are, nothing as '', anything else as JSON. */
const commandValue = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
const escapeData = (value: unknown) => commandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** `::command::message` on stdout, the message escaped. */
function issue(command: string, message: unknown): void {
  process.stdout.write(`::${command}::${escapeData(message)}${EOL}`);
}

/** Appends `name<<delimiter … delimiter` to the runner's GITHUB_OUTPUT file, as `core.setOutput` does. */
function setOutput(name: string, value: unknown): void {
  const file = process.env.GITHUB_OUTPUT || '';
  if (!file) {
    process.stdout.write(EOL);
    process.stdout.write(`::set-output name=${name}::${escapeData(value)}${EOL}`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  const text = commandValue(value);
  if (name.includes(delimiter) || text.includes(delimiter)) throw new Error(`Unexpected input: the output ${name} holds the delimiter "${delimiter}"`);
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

/** The job summary: text gathered by `addRaw`, appended to GITHUB_STEP_SUMMARY by `write`. */
function createSummary(): ActionCore['summary'] {
  let buffer = '';
  const unsupported = () => {
    throw new Error('the Action writes its summary as markdown (addRaw); addHeading and addTable are not implemented here');
  };
  const summary = {
    addRaw(text: string, addEOL = false) {
      buffer += text + (addEOL ? EOL : '');
      return summary;
    },
    async write() {
      const file = process.env.GITHUB_STEP_SUMMARY;
      if (!file) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.');
      try {
        await access(file, constants.R_OK | constants.W_OK);
      } catch {
        throw new Error(`Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`);
      }
      await appendFile(file, buffer, { encoding: 'utf8' });
      buffer = '';
      return summary;
    },
    addHeading: unsupported,
    addTable: unsupported,
  };
  return summary as unknown as ActionCore['summary'];
}

/** The Action's ActionCore. */
export function workflowCore(): ActionCore {
  return {
    getInput(name: string, options?: { required?: boolean; trimWhitespace?: boolean }) {
      const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
      if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`);
      return options?.trimWhitespace === false ? value : value.trim();
    },
    setSecret: (secret: string) => issue('add-mask', secret),
    setOutput,
    setFailed(message: string | Error) {
      process.exitCode = 1;
      issue('error', message instanceof Error ? message.toString() : message);
    },
    info: (message: string) => void process.stdout.write(message + EOL),
    debug: (message: string) => issue('debug', message),
    warning: (message: string | Error) => issue('warning', message instanceof Error ? message.toString() : message),
    isDebug: () => process.env.RUNNER_DEBUG === '1',
    async getIDToken(audience?: string) {
      const core = await import('@actions/core');
      return core.getIDToken(audience);
    },
    summary: createSummary(),
  } as ActionCore;
}

/**
 * The emulator's options, checked once at `startEmulator` so that a bad value fails with the option's name and
 * rule before anything listens.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../shared/errors.js';
import { checkInteger, describe, requireString } from '../shared/validate.js';
import type { EmulatorLogger } from './common/logger.js';
import { checkKnown } from './common/optionNames.js';
import { resolveLiveView, type LiveViewOptions, type ResolvedLiveView } from './liveView/liveViewOptions.js';
import { resolveFaults, type FaultOptions, type ResolvedFaults } from './faults/faultOptions.js';
import {
  resolveHubs,
  resolveUpstream,
  type EventHandlerTable,
  type HubSettings,
  type ResolvedUpstream,
  type UpstreamOptions,
} from './upstream/eventHandlerSettings.js';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port (default 0: any free port; the CLI defaults to 8080). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The access key clients sign with (default: 32 random bytes, base64). */
  accessKey?: string;
  /** Fault injection for REST requests (default: none). */
  faults?: FaultOptions;
  /**
   * Ignore what the emulator does not implement instead of refusing it: unknown query parameters, api-versions
   * other than the stable ones (answered as 2024-12-01), parameters newer than the request's api-version, and
   * unknown WebSocket frame types (default false).
   */
  loose?: boolean;
  /** How long a dropped reliable connection waits for its client to recover, in ms (default 30000, as the service). */
  recoveryWindowMs?: number;
  /** Receives one line per REST request and WebSocket connection, plus errors (default: errors to stderr only). */
  logger?: EmulatorLogger;
  /**
   * Accept Microsoft Entra bearer tokens on REST calls (default false): a JWT not signed with HS256 passes when its
   * `aud` is the Web PubSub resource (`https://webpubsub.azure.com` or `.azure.cn`) and it has not expired. The
   * emulator cannot check Entra's signature, so this is for tests of an Entra client path, never a security boundary.
   */
  acceptEntraTokens?: boolean;
  /** Upstream event handlers per hub: `{ chat: { eventHandlers: [{ urlTemplate, userEventPattern, systemEvents }] } }`. */
  hubs?: Record<string, HubSettings>;
  /** How event handlers are called: `timeoutMs` per event and `retryDelaysMs` (defaults as Microsoft's emulator). */
  upstream?: UpstreamOptions;
  /**
   * Serve the live view at the emulator's root (default false; the CLI turns it on): `true`, or
   * `{ allowedHosts, allowRemote }` to open it beyond `localhost` and this machine.
   */
  ui?: boolean | LiveViewOptions;
  /**
   * A file that keeps users' groups and grants and the hubs' settings across restarts (default: none). Loaded on
   * start (a missing file is a fresh start); a file that is not the emulator's refuses the start.
   */
  state?: string;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  accessKey: string;
  faults: ResolvedFaults | undefined;
  loose: boolean;
  recoveryWindowMs: number;
  logger: EmulatorLogger | undefined;
  acceptEntraTokens: boolean;
  hubs: EventHandlerTable;
  /** The `hubs` option as given, for the state file. */
  hubSettings: Record<string, HubSettings> | undefined;
  upstream: ResolvedUpstream;
  ui: ResolvedLiveView | undefined;
  state: string | undefined;
}

const OPTION_NAMES = new Set([
  'port',
  'host',
  'accessKey',
  'faults',
  'loose',
  'recoveryWindowMs',
  'logger',
  'acceptEntraTokens',
  'hubs',
  'upstream',
  'ui',
  'state',
]);
/** The service keeps a dropped reliable connection at least this long. */
export const DEFAULT_RECOVERY_WINDOW_MS = 30_000;

/**
 * Applies defaults and checks every option.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'must be an object');
  checkKnown('options', options, OPTION_NAMES);
  const {
    port = 0,
    host = '127.0.0.1',
    accessKey,
    faults,
    loose = false,
    recoveryWindowMs = DEFAULT_RECOVERY_WINDOW_MS,
    logger,
    acceptEntraTokens = false,
  } = options;
  checkInteger('options.port', port, 0, 65535);
  requireString('options.host', host);
  if (accessKey !== undefined) requireString('options.accessKey', accessKey);
  if (typeof loose !== 'boolean') throw new InvalidArgumentError('options.loose', `must be a boolean (got ${describe(loose)})`);
  if (typeof acceptEntraTokens !== 'boolean') {
    throw new InvalidArgumentError('options.acceptEntraTokens', `must be a boolean (got ${describe(acceptEntraTokens)})`);
  }
  checkInteger('options.recoveryWindowMs', recoveryWindowMs, 0, 2 ** 31 - 1);
  if (options.state !== undefined) requireString('options.state', options.state);
  if (logger !== undefined && typeof logger !== 'function') {
    throw new InvalidArgumentError('options.logger', `must be a function (got ${describe(logger)})`);
  }
  return {
    port,
    host,
    accessKey: accessKey ?? randomBytes(32).toString('base64'),
    faults: faults === undefined ? undefined : resolveFaults(faults),
    loose,
    recoveryWindowMs,
    logger,
    acceptEntraTokens,
    hubs: resolveHubs(options.hubs),
    hubSettings: options.hubs,
    upstream: resolveUpstream(options.upstream),
    ui: resolveLiveView(options.ui),
    state: options.state,
  };
}

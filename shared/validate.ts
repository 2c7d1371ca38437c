/**
 * The documented rules for every input, checked once at the edge so that bad input fails before any I/O.
 * The emulator applies the same rules to what it receives, so both sides speak of one rule set.
 */
import { InvalidArgumentError } from './errors.js';
import { supportsApiVersion, type ApiVersion, type PathParam, type QueryParam } from './operations.js';

/** The swagger's hub pattern: a letter, then up to 127 of letters, digits and `` _ ` , . [ ] ``. */
export const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
/** The swagger's group pattern: not only whitespace, no line breaks (`.` excludes them). */
export const GROUP_PATTERN = /^(?!\s+$).+$/;
export const GROUP_MAX_LENGTH = 1024;
export const PERMISSIONS = ['sendToGroup', 'joinLeaveGroup'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const CLIENT_PROTOCOLS = ['default', 'mqtt', 'socketio'] as const;
export type ClientProtocol = (typeof CLIENT_PROTOCOLS)[number];
/**
 * The first api-version whose `:generateToken` takes each client protocol (query `clientType`). The service
 * refuses `socketio` on 2024-01-01 with 400 `Error.BadRequest`, target `clientType` (a recorded answer).
 */
export const CLIENT_PROTOCOL_SINCE: Readonly<Record<ClientProtocol, ApiVersion>> = {
  default: '2024-01-01',
  mqtt: '2024-01-01',
  socketio: '2024-12-01',
};
/** The service's limit for one message: 1 MiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

const DOT_SEGMENT_RULE = "must not be '.' or '..': a URL parser folds such a segment into the parent path and the request would reach another route";

/** An api-version as the service writes them: a date, optionally `-preview`. */
const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

/** Throws unless `value` looks like an api-version (`2024-12-01`). */
export function checkApiVersion(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !API_VERSION_PATTERN.test(value)) {
    throw new InvalidArgumentError(argument, 'must look like 2024-12-01');
  }
}

/** Throws unless `value` is a non-empty string. */
export function requireString(argument: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(argument, `must be a non-empty string (got ${describe(value)})`);
  }
}

/** Throws unless `value` is a valid value for the path parameter `param`. */
export function checkPathParam(param: PathParam, value: unknown): asserts value is string {
  requireString(param, value);
  switch (param) {
    case 'hub':
      if (!HUB_PATTERN.test(value)) {
        throw new InvalidArgumentError('hub', 'must start with a letter and hold only letters, digits and _ ` , . [ ], 128 characters at most');
      }
      return;
    case 'group':
      checkGroup('group', value);
      return;
    case 'permission':
      if (!(PERMISSIONS as readonly string[]).includes(value)) {
        throw new InvalidArgumentError('permission', `must be one of ${PERMISSIONS.join(', ')} (got ${describe(value)})`);
      }
      return;
    default:
      if (value === '.' || value === '..') throw new InvalidArgumentError(param, DOT_SEGMENT_RULE);
  }
}

/** Throws unless `value` is a valid group name; `argument` names where it came from (`group`, `groups[2]`). */
export function checkGroup(argument: string, value: unknown): asserts value is string {
  requireString(argument, value);
  if (value.length > GROUP_MAX_LENGTH || !GROUP_PATTERN.test(value)) {
    throw new InvalidArgumentError(argument, `must be 1 to ${GROUP_MAX_LENGTH} characters, not only whitespace, without line breaks`);
  }
  if (value === '.' || value === '..') throw new InvalidArgumentError(argument, DOT_SEGMENT_RULE);
}

/** Throws unless `value` fits the query parameter's type and range, and the group rule for group names. */
export function checkQueryValue(param: QueryParam, value: unknown): void {
  const name = param.option;
  switch (param.type) {
    case 'string':
      if (typeof value !== 'string') throw new InvalidArgumentError(name, `must be a string (got ${describe(value)})`);
      if (param.groupNames) checkGroup(name, value);
      return;
    case 'strings':
      if (!Array.isArray(value)) throw new InvalidArgumentError(name, `must be an array of strings (got ${describe(value)})`);
      value.forEach((item, i) => (param.groupNames ? checkGroup : requireString)(`${name}[${i}]`, item));
      return;
    case 'int':
      checkInteger(name, value, param.min ?? -Infinity, param.max ?? Infinity);
      return;
    case 'clientType':
      if (!(CLIENT_PROTOCOLS as readonly unknown[]).includes(value)) {
        throw new InvalidArgumentError(name, `must be one of ${CLIENT_PROTOCOLS.join(', ')} (got ${describe(value)})`);
      }
  }
}

/**
 * Throws unless api-version `apiVersion` takes the client protocol `value` (see {@link CLIENT_PROTOCOL_SINCE}).
 * @param argument - the name the error gives the input (default `clientProtocol`, the option's name)
 * @throws InvalidArgumentError naming the protocols this api-version takes and the version `value` needs.
 */
export function checkClientProtocol(value: ClientProtocol, apiVersion: string, argument = 'clientProtocol'): void {
  const since = CLIENT_PROTOCOL_SINCE[value];
  if (supportsApiVersion(apiVersion, since)) return;
  const taken = CLIENT_PROTOCOLS.filter((protocol) => supportsApiVersion(apiVersion, CLIENT_PROTOCOL_SINCE[protocol]));
  throw new InvalidArgumentError(argument, `must be ${taken.join(' or ')} in api-version ${apiVersion}; ${value} needs ${since} or later`);
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInteger(argument: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(argument, `must be an integer ${range} (got ${describe(value)})`);
  }
}

/**
 * Names a user of the official `@azure/web-pubsub` SDK reaches for, and ours for the same thing: an unknown option
 * error names the one to use instead of leaving the user to guess.
 */
export const OFFICIAL_SDK_NAMES: Readonly<Record<string, string>> = {
  excludedConnections: 'excluded',
  abortSignal: 'signal',
  retryOptions: 'retry',
  retryDelayInMs: 'baseDelayMs',
  maxRetryDelayInMs: 'maxDelayMs',
  proxyOptions: 'dispatcher (an undici ProxyAgent), or the HTTPS_PROXY environment variable',
};

/**
 * The error for an option that is not one of `known`: it lists them all and, for an official SDK name, says ours.
 * @param where - what the option was given to: `sendToAll`, `the client`, `retry`
 */
export function unknownOption(argument: string, where: string, known: readonly string[]): InvalidArgumentError {
  const name = argument.slice(argument.lastIndexOf('.') + 1);
  const official = Object.hasOwn(OFFICIAL_SDK_NAMES, name) ? `; the official SDK's ${name} is ${OFFICIAL_SDK_NAMES[name]} here` : '';
  return new InvalidArgumentError(argument, `is not an option of ${where} (its options: ${known.join(', ') || 'none'})${official}`);
}

/** Throws unless `signal` is undefined or an AbortSignal (checked by shape: signals cross realms in test runners). */
export function checkSignal(signal: unknown): asserts signal is AbortSignal | undefined {
  if (signal === undefined) return;
  const candidate = signal as Partial<AbortSignal> | null;
  if (typeof candidate?.aborted !== 'boolean' || typeof candidate.addEventListener !== 'function') {
    throw new InvalidArgumentError('signal', `must be an AbortSignal (got ${describe(signal)})`);
  }
}

/** A short, secret-free description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

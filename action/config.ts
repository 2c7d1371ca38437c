/**
 * Reads every input once, into one typed config object. Secrets are masked before anything else happens; then
 * each input is checked on its own, then the combinations. Every problem is an InputError naming the input and
 * the rule, found before any request goes out.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseConnectionString } from '../shared/connectionString.js';
import { parseEndpoint } from '../shared/endpoint.js';
import { NOTIFICATION_ID_PATTERN, NOTIFICATION_SCHEMA_V1 } from '../shared/notification.js';
import { DEFAULT_API_VERSION } from '../shared/operations.js';
import { checkApiVersion, checkGroup, checkPathParam, describe, HUB_PATTERN, MAX_MESSAGE_BYTES } from '../shared/validate.js';
import type { EntraSettings } from './entra.js';
import { checkInput, InputError } from './inputError.js';
import { prepareMessage, type Message } from './message.js';
import type { TemplateScope } from './template.js';
import type { NotificationSchemaVersion } from './notification.js';
import type { Runner } from './runner.js';

export const OPERATIONS = ['send', 'close'] as const;
export const TARGETS = ['hub', 'group', 'user', 'connection'] as const;
export const CONTENT_TYPES = ['auto', 'json', 'text', 'binary'] as const;
export type OperationKind = (typeof OPERATIONS)[number];
export type TargetKind = (typeof TARGETS)[number];
export type ContentTypeInput = (typeof CONTENT_TYPES)[number];

/** How the Action authenticates: exactly one of three. */
export type Auth =
  | { kind: 'connection-string'; connectionString: string }
  | { kind: 'access-key'; endpoint: string; accessKey: string }
  | ({ kind: 'entra'; endpoint: string } & EntraSettings);

/** Who the operation addresses. */
export type Target = { kind: 'hub' } | { kind: 'group'; group: string } | { kind: 'user'; userId: string } | { kind: 'connection'; connectionId: string };

/** Closing a group's members a batch at a time. */
export interface Waves {
  batchSize: number;
  intervalSeconds: number;
}

/** Every input, checked and typed. Operation modules read this, never the inputs. */
export interface Config {
  auth: Auth;
  hub: string;
  operation: OperationKind;
  target: Target;
  /** For send: the prepared message, or the release tag to announce (read later through the GitHub API). */
  message: Message | { kind: 'release-tag'; tag: string } | undefined;
  /** For send: the id of this send (the `id` output, the default notification's `id`, `{{ id }}` in a message). */
  id: string;
  /** For send: the default notification's shape (2, or the deprecated 1). */
  notificationSchema: NotificationSchemaVersion;
  githubToken: string;
  filter: string | undefined;
  excluded: string[];
  messageTtlSeconds: number | undefined;
  reason: string | undefined;
  countRecipients: boolean;
  waves: Waves | undefined;
  apiVersion: string;
  retries: number;
  timeoutSeconds: number;
  dryRun: boolean;
  failOnError: boolean;
}

/** Inputs that hold secrets: masked before anything is read or logged. */
const SECRET_INPUTS = ['connection-string', 'access-key', 'github-token'] as const;

/**
 * Reads and checks every input the runner gives.
 * @throws InputError for the first input that breaks a rule
 */
export function readConfig(runner: Runner): Config {
  const { context } = runner;
  // Each input is read once, trimmed (as `core.getInput` trims); the secret ones first, so they are masked before
  // anything else.
  const read = new Map<string, string>();
  const input = (name: string): string => {
    if (!read.has(name)) read.set(name, runner.input(name).trim());
    return read.get(name)!;
  };
  maskSecrets(runner, input);
  const given = (name: string) => input(name) !== '';

  const hub = input('hub');
  if (!hub) throw new InputError('hub', 'is required: the hub to address', true);
  if (!HUB_PATTERN.test(hub)) {
    throw new InputError('hub', `must start with a letter and hold only letters, digits and _ \` , . [ ], 128 characters at most (got ${describe(hub)})`);
  }
  const operation = oneOf('operation', input('operation') || 'send', OPERATIONS);
  const target = readTarget(input, oneOf('target', input('target') || 'hub', TARGETS));
  const auth = readAuth(input);

  const apiVersion = input('api-version') || DEFAULT_API_VERSION;
  checkInput('api-version', () => checkApiVersion('api-version', apiVersion));
  const retries = integer('retries', input('retries') || '3', 0, 20);
  const timeoutSeconds = integer('timeout-seconds', input('timeout-seconds') || '60', 1, 3600);
  const dryRun = boolean('dry-run', input('dry-run') || 'false');
  const failOnError = boolean('fail-on-error', input('fail-on-error') || 'true');
  const countRecipients = boolean('count-recipients', input('count-recipients') || 'false');
  const excluded = readExcluded(input('excluded'));
  const filter = input('filter') || undefined;
  const reason = input('reason') || undefined;
  const ttl = input('message-ttl-seconds');
  const messageTtlSeconds = ttl === '' ? undefined : integer('message-ttl-seconds', ttl, 0, 300);
  const waves = readWaves(input('batch-size'), input('batch-interval-seconds') || '0');
  const contentType = oneOf('content-type', input('content-type') || 'auto', CONTENT_TYPES);

  const onlyFor = (name: string, rule: string) => new InputError(name, rule);
  if (operation === 'send') {
    for (const name of ['reason', 'batch-size']) if (given(name)) throw onlyFor(name, 'applies to operation close only');
    if (excluded.length && (target.kind === 'user' || target.kind === 'connection')) {
      throw onlyFor('excluded', `applies to target hub or group when sending (the service takes no excluded list for a ${target.kind})`);
    }
    if (filter && target.kind === 'connection') throw onlyFor('filter', 'does not apply to target connection (the service takes no filter there)');
    if (countRecipients && target.kind === 'hub') {
      throw onlyFor('count-recipients', 'needs target group, user or connection: the service cannot list the connections of a whole hub');
    }
    if (countRecipients && filter) throw onlyFor('count-recipients', 'cannot count with filter: the filter is applied by the service, after the count');
  } else {
    for (const name of ['message', 'message-file', 'release-tag', 'filter', 'message-ttl-seconds', 'id']) {
      if (given(name)) throw onlyFor(name, 'applies to operation send only');
    }
    if (countRecipients) throw onlyFor('count-recipients', 'applies to operation send only');
    if (excluded.length && target.kind === 'connection') throw onlyFor('excluded', 'does not apply when closing one connection');
    if (waves && target.kind !== 'group') throw onlyFor('batch-size', `closes a group in waves: it needs target group (got ${target.kind})`);
  }

  const githubToken = input('github-token');
  const id = input('id') || context.defaultId;
  if (!NOTIFICATION_ID_PATTERN.test(id)) {
    throw new InputError('id', `must be 1 to 128 printable ASCII characters without spaces (got ${describe(id)})`);
  }
  const notificationSchema = oneOf('notification-schema', input('notification-schema') || '2', ['1', '2']) === '1' ? 1 : 2;
  if (notificationSchema === 1 && operation === 'close') throw onlyFor('notification-schema', 'applies to operation send only');
  if (notificationSchema === 1) {
    runner.log.warning(`notification-schema 1 is deprecated: it sends ${NOTIFICATION_SCHEMA_V1}, without an id; update the receivers, then drop the input`);
  }
  let message: Config['message'];
  if (operation === 'send') {
    const releaseTag = input('release-tag');
    if (releaseTag) {
      for (const name of ['message', 'message-file']) {
        if (given(name)) throw new InputError(name, 'cannot be combined with release-tag, which sends the release announcement');
      }
      if (contentType !== 'auto') throw new InputError('content-type', 'does not apply with release-tag: the announcement is JSON');
      if (!githubToken) throw new InputError('github-token', 'is required with release-tag, to read the release', true);
      message = { kind: 'release-tag', tag: releaseTag };
    } else {
      message = readMessage(input, contentType, { github: context.github, source: context.source, env: context.env, id });
    }
    // The runner passes action.yml's default ("2") whether or not the step sets it: only a 1 says something.
    if (notificationSchema === 1 && message?.kind === 'message') {
      throw new InputError('notification-schema', 'applies to the default notification only: your own message is sent as it is');
    }
  }

  return {
    auth,
    hub,
    operation,
    target,
    message,
    id,
    notificationSchema,
    githubToken,
    filter,
    excluded,
    messageTtlSeconds,
    reason,
    countRecipients,
    waves,
    apiVersion,
    retries,
    timeoutSeconds,
    dryRun,
    failOnError,
  };
}

/** Masks the secret inputs, and the key inside a connection string on its own (it may be logged apart). */
function maskSecrets(runner: Runner, input: (name: string) => string): void {
  for (const name of SECRET_INPUTS) {
    const value = input(name);
    if (value) runner.mask(value);
  }
  const key = /(?:^|;)\s*AccessKey\s*=([^;]+)/i.exec(input('connection-string'))?.[1]?.trim();
  if (key) runner.mask(key);
}

function readTarget(input: (name: string) => string, kind: TargetKind): Target {
  const fields = { group: 'group', user: 'user-id', connection: 'connection-id' } as const;
  for (const [targetKind, name] of Object.entries(fields)) {
    if (kind !== targetKind && input(name)) throw new InputError(name, `is set, but target is ${kind}: set target: ${targetKind} to address it`);
  }
  if (kind === 'hub') return { kind };
  const name = fields[kind];
  const value = input(name);
  if (!value) throw new InputError(name, `is required when target is ${kind}`, true);
  if (kind === 'group') {
    checkInput(name, () => checkGroup(name, value));
    return { kind, group: value };
  }
  checkInput(name, () => checkPathParam(kind === 'user' ? 'userId' : 'connectionId', value));
  return kind === 'user' ? { kind, userId: value } : { kind, connectionId: value };
}

const AUTH_METHODS = 'give exactly one of connection-string, endpoint + access-key, or endpoint + client-id + tenant-id (Microsoft Entra)';

function readAuth(input: (name: string) => string): Auth {
  const connectionString = input('connection-string');
  const endpoint = input('endpoint');
  const accessKey = input('access-key');
  const clientId = input('client-id');
  const tenantId = input('tenant-id');
  const methods = [connectionString && 'connection-string', accessKey && 'access-key', (clientId || tenantId) && (clientId ? 'client-id' : 'tenant-id')].filter(
    Boolean,
  ) as string[];
  if (methods.length > 1) throw new InputError(methods.join(' and '), `are two auth methods: ${AUTH_METHODS}`);
  if (connectionString) {
    if (endpoint) throw new InputError('endpoint', 'must not be set with connection-string, which holds the endpoint already');
    // The parser's messages never echo the string or its key.
    checkInput('connection-string', () => parseConnectionString(connectionString));
    return { kind: 'connection-string', connectionString };
  }
  if (methods.length === 0) {
    if (endpoint) throw new InputError('access-key', 'or client-id + tenant-id is required with endpoint', true);
    throw new InputError('connection-string', `or another auth method is required: ${AUTH_METHODS}`, true);
  }
  if (!endpoint) throw new InputError('endpoint', `is required with ${methods[0]}`, true);
  checkInput('endpoint', () => parseEndpoint('endpoint', endpoint));
  if (accessKey) return { kind: 'access-key', endpoint, accessKey };

  if (!clientId) throw new InputError('client-id', 'is required with tenant-id', true);
  if (!tenantId) throw new InputError('tenant-id', 'is required with client-id', true);
  if (!/^[A-Za-z0-9._-]+$/.test(clientId)) throw new InputError('client-id', `must be an application (client) id such as a GUID (got ${describe(clientId)})`);
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) throw new InputError('tenant-id', `must be a tenant id (a GUID) or domain (got ${describe(tenantId)})`);
  const audience = input('audience') || 'api://AzureADTokenExchange';
  const authorityHost = checkInput('authority-host', () =>
    parseEndpoint('authority-host', input('authority-host') || 'https://login.microsoftonline.com'),
  ).href;
  return { kind: 'entra', endpoint, clientId, tenantId, audience, authorityHost };
}

function readMessage(input: (name: string) => string, contentType: ContentTypeInput, scope: TemplateScope): Message | undefined {
  const inline = input('message');
  const file = input('message-file');
  if (inline && file) throw new InputError('message', 'and message-file are both set: give one');
  if (!inline && !file) {
    if (contentType !== 'auto') throw new InputError('content-type', 'applies to message or message-file; the default notification is always JSON');
    return undefined;
  }
  if (inline) {
    if (contentType === 'binary') throw new InputError('content-type', 'binary needs message-file: an inline message is text');
    return prepareMessage('message', Buffer.from(inline), contentType, scope);
  }
  const workspace = scope.env.GITHUB_WORKSPACE || process.cwd();
  const path = isAbsolute(file) ? file : resolve(workspace, file);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new InputError('message-file', `must name a readable file; ${JSON.stringify(file)} does not exist (relative paths start at the workspace)`);
  if (statSync(path).size > MAX_MESSAGE_BYTES)
    throw new InputError('message-file', `must hold at most ${MAX_MESSAGE_BYTES} bytes (1 MiB), the service's limit`);
  return prepareMessage('message-file', readFileSync(path), contentType, scope);
}

function readExcluded(text: string): string[] {
  const ids = text
    .split(/[,\r\n]/)
    .map((id) => id.trim())
    .filter(Boolean);
  ids.forEach((id) => checkInput('excluded', () => checkPathParam('connectionId', id)));
  return ids;
}

function readWaves(batchSize: string, interval: string): Waves | undefined {
  if (!/^\d+(\.\d+)?$/.test(interval) || Number(interval) > 3600) {
    throw new InputError('batch-interval-seconds', `must be a number of seconds from 0 to 3600 (got ${describe(interval)})`);
  }
  if (!batchSize) {
    if (Number(interval) !== 0) throw new InputError('batch-interval-seconds', 'needs batch-size: it is the wait between waves');
    return undefined;
  }
  return { batchSize: integer('batch-size', batchSize, 1, 1000), intervalSeconds: Number(interval) };
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(name, `must be one of ${allowed.join(', ')} (got ${describe(value)})`);
  return value as T;
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new InputError(name, `must be a whole number from ${min} to ${max} (got ${describe(text)})`);
  }
  return Number(text);
}

/** Booleans as the runner's YAML 1.2 core schema spells them (what `core.getBooleanInput` accepts). */
function boolean(name: string, text: string): boolean {
  if (['true', 'True', 'TRUE'].includes(text)) return true;
  if (['false', 'False', 'FALSE'].includes(text)) return false;
  throw new InputError(name, `must be true or false (got ${describe(text)})`);
}

/**
 * Reads every input once, into one typed config object. The inputs table (inputs.ts) defines each input; values.ts
 * reads them (secrets masked first), refuses unknown names and checks each value's type; here are the rules between
 * inputs. Every problem is an InputError naming the input and the rule, found before any request goes out.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseConnectionString } from '../shared/connectionString.js';
import { isLoopback, parseEndpoint } from '../shared/endpoint.js';
import { NOTIFICATION_ID_PATTERN, NOTIFICATION_SCHEMA_V1 } from '../shared/notification.js';
import { checkApiVersion, checkGroup, checkPathParam, describe, HUB_PATTERN, MAX_MESSAGE_BYTES } from '../shared/validate.js';
import type { EntraSettings } from './entra.js';
import { checkInput, InputError } from './inputError.js';
import { INPUTS, type ContentTypeInput, type OperationKind, type TargetKind } from './inputs.js';
import { prepareMessage, type Message } from './message.js';
import type { NotificationSchemaVersion } from './notification.js';
import type { Runner } from './runner.js';
import type { TemplateScope } from './template.js';
import { InputValues } from './values.js';

export { CONTENT_TYPES, OPERATIONS, TARGETS, type ContentTypeInput, type OperationKind, type TargetKind } from './inputs.js';

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

/**
 * Reads and checks every input the runner gives.
 * @throws InputError for the first input that breaks a rule
 */
export function readConfig(runner: Runner): Config {
  const { context } = runner;
  const values = new InputValues(runner);
  const input = (name: string) => values.text(name);
  const given = (name: string) => values.given(name);

  const hub = input('hub');
  if (!HUB_PATTERN.test(hub)) {
    throw new InputError('hub', `must start with a letter and hold only letters, digits and _ \` , . [ ], 128 characters at most (got ${describe(hub)})`);
  }
  const operation = values.choice<OperationKind>('operation');
  // Any input set for an operation that does not use it. Inputs whose default a front-end fills in itself
  // (github-token) cannot tell set from unset, so they are left out.
  for (const definition of INPUTS) {
    if (!definition.operations.includes(operation) && !definition.frontEndDefault && given(definition.name)) {
      throw new InputError(definition.name, `applies to {operation=${definition.operations.join(' or ')}} only`);
    }
  }
  const target = readTarget(input, values.choice<TargetKind>('target'));
  const auth = readAuth(input, values);

  const apiVersion = values.value('api-version');
  checkInput('api-version', () => checkApiVersion('api-version', apiVersion));
  const countRecipients = values.boolean('count-recipients');
  const excluded = values.list('excluded');
  for (const id of excluded) checkInput('excluded', () => checkPathParam('connectionId', id));
  const filter = input('filter') || undefined;
  const waves = readWaves(values);
  const contentType = values.choice<ContentTypeInput>('content-type');

  if (operation === 'send') {
    if (excluded.length && (target.kind === 'user' || target.kind === 'connection')) {
      throw new InputError('excluded', `applies to {target} hub or group when sending (the service takes no excluded list for a ${target.kind})`);
    }
    if (filter && target.kind === 'connection') throw new InputError('filter', 'does not apply to {target} connection (the service takes no filter there)');
    if (countRecipients && target.kind === 'hub') {
      throw new InputError('count-recipients', 'needs {target} group, user or connection: the service cannot list the connections of a whole hub');
    }
    if (countRecipients && filter)
      throw new InputError('count-recipients', 'cannot count with {filter}: the filter is applied by the service, after the count');
  } else {
    if (excluded.length && target.kind === 'connection') throw new InputError('excluded', 'does not apply when closing one connection');
    if (waves && target.kind !== 'group') throw new InputError('batch-size', `closes a group in waves: it needs {target} group (got ${target.kind})`);
  }

  const githubToken = input('github-token');
  const id = input('id') || context.defaultId;
  if (!NOTIFICATION_ID_PATTERN.test(id)) {
    throw new InputError('id', `must be 1 to 128 printable ASCII characters without spaces (got ${describe(id)})`);
  }
  const notificationSchema: NotificationSchemaVersion = values.choice('notification-schema') === '1' ? 1 : 2;
  if (notificationSchema === 1) {
    runner.log.warning(
      `${runner.wording.mention('notification-schema')} 1 is deprecated: it sends ${NOTIFICATION_SCHEMA_V1}, without an id; update the receivers, then drop the input`,
    );
  }
  let message: Config['message'];
  if (operation === 'send') {
    const releaseTag = input('release-tag');
    if (releaseTag) {
      for (const name of ['message', 'message-file']) {
        if (given(name)) throw new InputError(name, 'cannot be combined with {release-tag}, which sends the release announcement');
      }
      if (contentType !== 'auto') throw new InputError('content-type', 'does not apply with {release-tag}: the announcement is JSON');
      if (!githubToken) throw new InputError('github-token', 'is required with {release-tag}, to read the release', true);
      if (!context.github) {
        throw new InputError(
          'release-tag',
          'reads the release through the GitHub API of a GitHub Actions run (its repository and API URL), which this run is not',
        );
      }
      message = { kind: 'release-tag', tag: releaseTag };
    } else {
      message = readMessage(input, contentType, { github: context.github, source: context.source, env: context.env, id });
    }
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
    messageTtlSeconds: values.number('message-ttl-seconds'),
    reason: input('reason') || undefined,
    countRecipients,
    waves,
    apiVersion,
    retries: values.number('retries')!,
    timeoutSeconds: values.number('timeout-seconds')!,
    dryRun: values.boolean('dry-run'),
    failOnError: values.boolean('fail-on-error'),
  };
}

function readTarget(input: (name: string) => string, kind: TargetKind): Target {
  const fields = { group: 'group', user: 'user-id', connection: 'connection-id' } as const;
  for (const [targetKind, name] of Object.entries(fields)) {
    if (kind !== targetKind && input(name)) throw new InputError(name, `is set, but {target} is ${kind}: set {target=${targetKind}} to address it`);
  }
  if (kind === 'hub') return { kind };
  const name = fields[kind];
  const value = input(name);
  if (!value) throw new InputError(name, `is required when {target} is ${kind}`, true);
  if (kind === 'group') {
    checkInput(name, () => checkGroup(name, value));
    return { kind, group: value };
  }
  checkInput(name, () => checkPathParam(kind === 'user' ? 'userId' : 'connectionId', value));
  return kind === 'user' ? { kind, userId: value } : { kind, connectionId: value };
}

const AUTH_METHODS = 'give exactly one of {connection-string}, {endpoint} + {access-key}, or {endpoint} + {client-id} + {tenant-id} (Microsoft Entra)';

function readAuth(input: (name: string) => string, values: InputValues): Auth {
  const connectionString = input('connection-string');
  const endpoint = input('endpoint');
  const accessKey = input('access-key');
  const clientId = input('client-id');
  const tenantId = input('tenant-id');
  const methods = [connectionString && 'connection-string', accessKey && 'access-key', (clientId || tenantId) && (clientId ? 'client-id' : 'tenant-id')].filter(
    Boolean,
  ) as string[];
  if (methods.length > 1) throw new InputError(methods, `are two auth methods: ${AUTH_METHODS}`);
  if (connectionString) {
    if (endpoint) throw new InputError('endpoint', 'must not be set with {connection-string}, which holds the endpoint already');
    checkConnectionStringShape(connectionString);
    // The parser's messages never echo the string or its key.
    const parsed = checkInput('connection-string', () => parseConnectionString(connectionString));
    checkTransport('connection-string', parsed.endpoint, 'its Endpoint');
    return { kind: 'connection-string', connectionString };
  }
  if (methods.length === 0) {
    if (endpoint) throw new InputError('access-key', 'or {client-id} + {tenant-id} is required with {endpoint}', true);
    throw new InputError('connection-string', `or another auth method is required: ${AUTH_METHODS}`, true);
  }
  if (!endpoint) throw new InputError('endpoint', `is required with {${methods[0]}}`, true);
  checkTransport('endpoint', checkInput('endpoint', () => parseEndpoint('endpoint', endpoint, true)).href, 'it');
  if (accessKey) return { kind: 'access-key', endpoint, accessKey };

  if (!clientId) throw new InputError('client-id', 'is required with {tenant-id}', true);
  if (!tenantId) throw new InputError('tenant-id', 'is required with {client-id}', true);
  if (!/^[A-Za-z0-9._-]+$/.test(clientId)) throw new InputError('client-id', `must be an application (client) id such as a GUID (got ${describe(clientId)})`);
  if (!/^[A-Za-z0-9.-]+$/.test(tenantId)) throw new InputError('tenant-id', `must be a tenant id (a GUID) or domain (got ${describe(tenantId)})`);
  const authorityHost = checkInput('authority-host', () => parseEndpoint('authority-host', values.value('authority-host'))).href;
  const clientSecret = input('client-secret') || undefined;
  return { kind: 'entra', endpoint, clientId, tenantId, audience: values.value('audience'), authorityHost, ...(clientSecret && { clientSecret }) };
}

/**
 * Two common slips, named before the parser would call them "part 4 is not of the form Key=Value": quotes pasted
 * around the string, and the endpoint URL alone. Neither message shows the value (it is a secret).
 */
function checkConnectionStringShape(value: string): void {
  if (/^["'`]|["'`]$/.test(value)) {
    throw new InputError(
      'connection-string',
      'is wrapped in quotes: store the connection string without them (quotes in a YAML line or a shell are not part of the value; quotes inside the secret are)',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/[^;]*;?$/i.test(value)) {
    throw new InputError(
      'connection-string',
      'is a URL, not a connection string: give the URL as {endpoint} with {access-key} (or {client-id} + {tenant-id}), or the whole Endpoint=…;AccessKey=…;Version=1.0; string as the portal shows it',
    );
  }
}

/** Plain http carries the bearer token in clear text: only to a loopback host (the emulator), as the core client rules. */
function checkTransport(name: string, href: string, what: string): void {
  const url = new URL(href);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(
      name,
      `uses http to ${url.hostname}, which is not a loopback host: the access token would cross the network in clear text; make ${what} https (plain http is only for loopback hosts, such as the emulator)`,
    );
  }
}

function readMessage(input: (name: string) => string, contentType: ContentTypeInput, scope: TemplateScope): Message | undefined {
  const inline = input('message');
  const file = input('message-file');
  if (inline && file) throw new InputError('message', 'and {message-file} are both set: give one');
  if (!inline && !file) {
    if (contentType !== 'auto') throw new InputError('content-type', 'applies to {message} or {message-file}; the default notification is always JSON');
    return undefined;
  }
  if (inline) {
    if (contentType === 'binary') throw new InputError('content-type', 'binary needs {message-file}: an inline message is text');
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

function readWaves(values: InputValues): Waves | undefined {
  const batchSize = values.number('batch-size');
  const intervalSeconds = values.number('batch-interval-seconds')!;
  if (batchSize === undefined) {
    if (intervalSeconds !== 0) throw new InputError('batch-interval-seconds', 'needs {batch-size}: it is the wait between waves');
    return undefined;
  }
  return { batchSize, intervalSeconds };
}

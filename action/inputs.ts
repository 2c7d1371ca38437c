/**
 * The one definition of the inputs: name, type, default, rule, the operations that use it, the description, and
 * how a secret reaches the CLI. It drives action.yml's `inputs:` (`npm run generate`), the Action's and the CLI's
 * validation of each value (config.ts), the CLI's flags and `--help`, and the input tables of docs/action.md and
 * docs/cli.md. The rules between inputs (exactly one auth method, target and its id, …) live in config.ts.
 *
 * Descriptions and rules name other inputs as `{name}`, and a setting as `{name=value}`, so that each front-end
 * words them its own way (action.yml `endpoint`, `target: group`; the CLI `--endpoint`, `--target group`).
 */
import { DEFAULT_API_VERSION } from '../shared/operations.js';

export const OPERATIONS = ['send', 'close'] as const;
export const TARGETS = ['hub', 'group', 'user', 'connection'] as const;
export const CONTENT_TYPES = ['auto', 'json', 'text', 'binary'] as const;
export type OperationKind = (typeof OPERATIONS)[number];
export type TargetKind = (typeof TARGETS)[number];
export type ContentTypeInput = (typeof CONTENT_TYPES)[number];

/** Where an input exists: both front-ends, or only one (the Action signs in to Entra without a secret). */
export type FrontEnd = 'action' | 'cli';

/** How a value is read and checked. */
export type InputType =
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'boolean' }
  /** A whole number in [min, max]. */
  | { kind: 'integer'; min: number; max: number }
  /** A number of seconds in [min, max], decimals allowed. */
  | { kind: 'seconds'; min: number; max: number }
  /** Items separated by commas or newlines. */
  | { kind: 'list' }
  /** A file path, relative to the workspace (the Action) or the working directory (the CLI). */
  | { kind: 'path' };

/** Groups, in the order action.yml, the docs and `--help` list them. */
export const INPUT_GROUPS = {
  auth: 'Auth: exactly one of {connection-string} | {endpoint} + {access-key} | {endpoint} + {client-id} + {tenant-id}',
  target: 'What to address',
  message: 'What to send',
  delivery: 'How to deliver or close',
  run: 'How the step runs',
} as const;
export type InputGroup = keyof typeof INPUT_GROUPS;

export interface InputDefinition {
  name: string;
  type: InputType;
  /** The default when unset, as text ('' for none). */
  default: string;
  /** A front-end's own default, which it fills in itself (action.yml: `${{ github.token }}`). */
  frontEndDefault?: Partial<Record<FrontEnd, string>>;
  required?: true;
  /** The rule of a value beyond its type, for docs and help (the type's rule is derived: see ruleOf). */
  rule?: string;
  /** The operations that use it; any other operation refuses it when it is set to anything but its default. */
  operations: readonly OperationKind[];
  group: InputGroup;
  description: string;
  /** Masked before anything is read or logged; never echoed in an error. */
  secret: boolean;
  /** For secrets: the CLI's environment variable, so the value need not be on the command line. */
  envVar?: string;
  /** For secrets: the CLI takes `--<name>-file <path>` too (the value is the file's content, trimmed). */
  file?: true;
  /** Only on these front-ends; absent: on both. */
  only?: FrontEnd;
}

const BOTH = OPERATIONS;
const SEND = ['send'] as const;
const CLOSE = ['close'] as const;
const string = { kind: 'string' } as const;
const boolean = { kind: 'boolean' } as const;

/** Every input, in the order of action.yml. */
export const INPUTS: readonly InputDefinition[] = [
  {
    name: 'connection-string',
    type: string,
    default: '',
    operations: BOTH,
    group: 'auth',
    secret: true,
    envVar: 'WEBPUBSUB_CONNECTION_STRING',
    file: true,
    rule: '`Endpoint=…;AccessKey=…;Version=1.0;`, as the portal shows it (no quotes around it)',
    description:
      "The service's connection string (Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;), from a secret. Exactly one auth method: this, {endpoint} + {access-key}, or {endpoint} + {client-id} + {tenant-id}.",
  },
  {
    name: 'endpoint',
    type: string,
    default: '',
    operations: BOTH,
    group: 'auth',
    secret: false,
    rule: 'an https URL (http only to a loopback host, such as the emulator)',
    description: 'The service endpoint, e.g. https://<name>.webpubsub.azure.com (with {access-key}, or with {client-id} + {tenant-id}).',
  },
  {
    name: 'access-key',
    type: string,
    default: '',
    operations: BOTH,
    group: 'auth',
    secret: true,
    envVar: 'WEBPUBSUB_ACCESS_KEY',
    file: true,
    description: 'An access key of the service, with {endpoint}, from a secret.',
  },
  {
    name: 'client-id',
    type: string,
    default: '',
    operations: BOTH,
    group: 'auth',
    secret: false,
    rule: 'an application (client) id such as a GUID',
    description:
      "Microsoft Entra: the client id of the app registration or user-assigned managed identity. The Action signs in with the job's GitHub OIDC token (a federated credential must trust the workflow; the job needs the permission id-token: write); the CLI with {client-secret}, or with a federated token (AZURE_FEDERATED_TOKEN_FILE or AZURE_FEDERATED_TOKEN, see docs/cli.md). Needs {tenant-id} and {endpoint}.",
  },
  {
    name: 'tenant-id',
    type: string,
    default: '',
    operations: BOTH,
    group: 'auth',
    secret: false,
    rule: 'a tenant id (a GUID) or domain',
    description: 'Microsoft Entra: the tenant (directory) id, with {client-id}.',
  },
  {
    name: 'client-secret',
    type: string,
    default: '',
    operations: BOTH,
    group: 'auth',
    secret: true,
    envVar: 'AZURE_CLIENT_SECRET',
    file: true,
    only: 'cli',
    description: 'Microsoft Entra: a client secret of the app registration, with {client-id} + {tenant-id}.',
  },
  {
    name: 'audience',
    type: string,
    default: 'api://AzureADTokenExchange',
    operations: BOTH,
    group: 'auth',
    secret: false,
    only: 'action',
    description: 'Microsoft Entra: the audience of the GitHub OIDC token, as the federated credential expects it.',
  },
  {
    name: 'authority-host',
    type: string,
    default: 'https://login.microsoftonline.com',
    operations: BOTH,
    group: 'auth',
    secret: false,
    rule: 'an https URL',
    description: 'Microsoft Entra: the authority host (https://login.chinacloudapi.cn for Azure China).',
  },

  {
    name: 'hub',
    type: string,
    default: '',
    required: true,
    operations: BOTH,
    group: 'target',
    secret: false,
    rule: 'a letter, then letters, digits and _ ` , . [ ], 128 characters at most',
    description: 'The hub (a letter, then letters, digits and _ ` , . [ ], 128 characters at most).',
  },
  {
    name: 'operation',
    type: { kind: 'enum', values: OPERATIONS },
    default: 'send',
    operations: BOTH,
    group: 'target',
    secret: false,
    description: 'send (a message) or close (connections).',
  },
  {
    name: 'target',
    type: { kind: 'enum', values: TARGETS },
    default: 'hub',
    operations: BOTH,
    group: 'target',
    secret: false,
    description: 'Who: hub (everyone in the hub), group, user or connection (named by {group}, {user-id} or {connection-id}).',
  },
  { name: 'group', type: string, default: '', operations: BOTH, group: 'target', secret: false, description: 'The group, with {target=group}.' },
  { name: 'user-id', type: string, default: '', operations: BOTH, group: 'target', secret: false, description: 'The user id, with {target=user}.' },
  {
    name: 'connection-id',
    type: string,
    default: '',
    operations: BOTH,
    group: 'target',
    secret: false,
    description: 'The connection id, with {target=connection}.',
  },

  {
    name: 'message',
    type: string,
    default: '',
    operations: SEND,
    group: 'message',
    secret: false,
    description:
      "The message to send. Templating: {{ github.sha }}, {{ github.ref_name }}, {{ github.event.<path> }}, {{ env.NAME }}…, {{ id }} (the send's id); in JSON, escaped inside strings and a typed JSON value where a placeholder stands alone. With neither this nor {message-file} a deploy notification (or, for releases, a release announcement) is sent.",
  },
  {
    name: 'message-file',
    type: { kind: 'path' },
    default: '',
    operations: SEND,
    group: 'message',
    secret: false,
    description:
      'A file holding the message, instead of {message} (a relative path starts at the workspace; for the CLI, at the working directory). Templated like {message}, except binary.',
  },
  {
    name: 'content-type',
    type: { kind: 'enum', values: CONTENT_TYPES },
    default: 'auto',
    operations: SEND,
    group: 'message',
    secret: false,
    description: 'auto (JSON when the message parses as JSON, else text), json, text, or binary ({message-file} only).',
  },
  {
    name: 'release-tag',
    type: string,
    default: '',
    operations: SEND,
    group: 'message',
    secret: false,
    description:
      "Announce this release (read through the GitHub API with {github-token}) instead of a deploy notification, on any event. On release events the event's release is announced without it.",
  },
  {
    name: 'github-token',
    type: string,
    default: '',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression action.yml holds, not a JavaScript template.
    frontEndDefault: { action: '${{ github.token }}' },
    operations: SEND,
    group: 'message',
    secret: true,
    envVar: 'GITHUB_TOKEN',
    file: true,
    description: 'The token for the GitHub API, used only with {release-tag}.',
  },
  {
    name: 'id',
    type: string,
    default: '',
    operations: SEND,
    group: 'message',
    secret: false,
    rule: '1 to 128 printable ASCII characters, no spaces',
    description:
      "The send's id: the default notification's id field and {{ id }} in a message, which receivers drop copies by. Default: derived from the run (on GitHub: its id and attempt, the job and the step), the same for every retry, new for each run attempt. Set it in matrix jobs, which share those. 1 to 128 printable ASCII characters, no spaces.",
  },
  {
    name: 'notification-schema',
    type: { kind: 'enum', values: ['1', '2'] },
    default: '2',
    operations: SEND,
    group: 'message',
    secret: false,
    description:
      "The default notification's shape: 2 (webpubsub-action/notification@2), or 1 for the deprecated @1 (no id), for receivers not yet updated; 1 goes away with the Action's next major version.",
  },

  {
    name: 'filter',
    type: string,
    default: '',
    operations: SEND,
    group: 'delivery',
    secret: false,
    description: 'An OData filter over userId, connectionId and groups (send to hub, group or user).',
  },
  {
    name: 'excluded',
    type: { kind: 'list' },
    default: '',
    operations: BOTH,
    group: 'delivery',
    secret: false,
    description: 'Connection ids that are left out, separated by commas or newlines (send to hub or group; close of hub, group or user).',
  },
  {
    name: 'message-ttl-seconds',
    type: { kind: 'integer', min: 0, max: 300 },
    default: '',
    operations: SEND,
    group: 'delivery',
    secret: false,
    description: "How long (0 to 300 seconds) the service keeps trying to deliver; empty for the service's default.",
  },
  {
    name: 'reason',
    type: string,
    default: '',
    operations: CLOSE,
    group: 'delivery',
    secret: false,
    description: 'The reason given to clients whose connections are closed.',
  },
  {
    name: 'count-recipients',
    type: boolean,
    default: 'false',
    operations: SEND,
    group: 'delivery',
    secret: false,
    description:
      'Tell how many live connections the message went to (output recipients): group members at send time, 1 or 0 for a connection, 0 or "1 or more" for a user. Warns when nobody was listening. Not for target hub.',
  },
  {
    name: 'batch-size',
    type: { kind: 'integer', min: 1, max: 1000 },
    default: '',
    operations: CLOSE,
    group: 'delivery',
    secret: false,
    description: 'Close a group in waves of this many connections ({target=group}); empty closes all at once.',
  },
  {
    name: 'batch-interval-seconds',
    type: { kind: 'seconds', min: 0, max: 3600 },
    default: '0',
    operations: CLOSE,
    group: 'delivery',
    secret: false,
    description: 'Seconds to wait between waves, with {batch-size}.',
  },

  {
    name: 'api-version',
    type: string,
    default: DEFAULT_API_VERSION,
    operations: BOTH,
    group: 'run',
    secret: false,
    rule: 'a date such as 2024-12-01',
    description: 'The REST api-version.',
  },
  {
    name: 'retries',
    type: { kind: 'integer', min: 0, max: 20 },
    default: '3',
    operations: BOTH,
    group: 'run',
    secret: false,
    description: 'Retries after the first attempt, on 408, 429, 5xx and network errors (0 to 20).',
  },
  {
    name: 'timeout-seconds',
    type: { kind: 'integer', min: 1, max: 3600 },
    default: '60',
    operations: BOTH,
    group: 'run',
    secret: false,
    description: 'A bound on the whole step, retries and waits included (1 to 3600).',
  },
  {
    name: 'dry-run',
    type: boolean,
    default: 'false',
    operations: BOTH,
    group: 'run',
    secret: false,
    description: 'Validate and print the request that would go out (token masked); send nothing.',
  },
  {
    name: 'fail-on-error',
    type: boolean,
    default: 'true',
    operations: BOTH,
    group: 'run',
    secret: false,
    description: 'Fail the step when the service or the network fails. With false such a failure is a warning and ok=false; a bad input always fails the step.',
  },
];

/** The inputs a front-end has, in table order. */
export function inputsOf(frontEnd: FrontEnd): InputDefinition[] {
  return INPUTS.filter((input) => !input.only || input.only === frontEnd);
}

const BY_NAME = new Map(INPUTS.map((input) => [input.name, input]));

/** The definition of an input. @throws Error for a name the table lacks (a programming error). */
export function inputDefinition(name: string): InputDefinition {
  const input = BY_NAME.get(name);
  if (!input) throw new Error(`no input ${name} in the inputs table`);
  return input;
}

/** The rule of a value, as a sentence that follows "must be" (docs, help and the type's error all use it). */
export function ruleOf(input: InputDefinition): string | undefined {
  const { type } = input;
  switch (type.kind) {
    case 'enum':
      return `one of ${type.values.join(', ')}`;
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `a whole number from ${type.min} to ${type.max}`;
    case 'seconds':
      return `a number of seconds from ${type.min} to ${type.max}`;
    default:
      return input.rule;
  }
}

/** An input's description, followed by its rule unless the description states it, in one front-end's words. */
export function describeInput(input: InputDefinition, mentions: Mentions): string {
  const rule = ruleOf(input);
  const { description } = input;
  return wordMentions(rule && !description.includes(rule) ? `${description} Must be ${rule}.` : description, mentions);
}

/** How `{name}` and `{name=value}` in a description or rule are written on one front-end. */
export interface Mentions {
  mention(input: string): string;
  setting(input: string, value: string): string;
}

/** `{name}` and `{name=value}`, but never the `{{ … }}` of a template. */
const MENTION = /(?<!\{)\{([a-z][a-z0-9-]*)(?:=([^{}]*))?\}(?!\})/g;

/** The text with each `{name}` / `{name=value}` of a known input worded by `mentions`; other braces stay. */
export function wordMentions(text: string, mentions: Mentions): string {
  return text.replace(MENTION, (match, name: string, value: string | undefined) => {
    if (!BY_NAME.has(name)) return match;
    return value === undefined ? mentions.mention(name) : mentions.setting(name, value);
  });
}

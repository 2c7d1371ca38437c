/**
 * The Action's inputs as the CLI's flags.
 * TEMPORARY: a copy of action.yml's inputs until action/inputs.ts (the one table, branch inputs) lands; then this
 * module maps that table and holds nothing of its own.
 */
import type { InputFlag } from './flags.js';

/** An input as a flag, with what --help shows. */
export interface CliInput extends InputFlag {
  default: string;
  operations: readonly ('send' | 'close')[];
  description: string;
}

export const INPUT_FLAGS: readonly CliInput[] = [
  {
    name: 'connection-string',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description:
      "The service's connection string (Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;). Pass it from a secret. Exactly one auth method: this, endpoint + access-key, or endpoint + client-id + tenant-id.",
    secret: {
      env: 'WEBPUBSUB_CONNECTION_STRING',
      file: true,
    },
  },
  {
    name: 'endpoint',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'The service endpoint, e.g. https://<name>.webpubsub.azure.com (with access-key, or with client-id + tenant-id).',
  },
  {
    name: 'access-key',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'An access key of the service, with endpoint. Pass it from a secret.',
    secret: {
      env: 'WEBPUBSUB_ACCESS_KEY',
      file: true,
    },
  },
  {
    name: 'client-id',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description:
      'Microsoft Entra: the client id of the app registration or user-assigned managed identity whose federated credential trusts this workflow. Needs tenant-id, endpoint and the job permission id-token: write.',
  },
  {
    name: 'tenant-id',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'Microsoft Entra: the tenant (directory) id, with client-id.',
  },
  {
    name: 'audience',
    boolean: false,
    repeatable: false,
    default: 'api://AzureADTokenExchange',
    operations: ['send', 'close'],
    description: 'Microsoft Entra: the audience of the GitHub OIDC token, as the federated credential expects it.',
  },
  {
    name: 'authority-host',
    boolean: false,
    repeatable: false,
    default: 'https://login.microsoftonline.com',
    operations: ['send', 'close'],
    description: 'Microsoft Entra: the authority host (https://login.chinacloudapi.cn for Azure China).',
  },
  {
    name: 'hub',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'The hub (a letter, then letters, digits and _ ` , . [ ], 128 characters at most).',
  },
  {
    name: 'target',
    boolean: false,
    repeatable: false,
    default: 'hub',
    operations: ['send', 'close'],
    description: 'Who: hub (everyone in the hub), group (input group), user (input user-id) or connection (input connection-id).',
  },
  {
    name: 'group',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'The group, when target is group.',
  },
  {
    name: 'user-id',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'The user id, when target is user.',
  },
  {
    name: 'connection-id',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send', 'close'],
    description: 'The connection id, when target is connection.',
  },
  {
    name: 'message',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description:
      "The message to send. Templating: {{ github.sha }}, {{ github.ref_name }}, {{ github.event.<path> }}, {{ env.NAME }}…, {{ id }} (the send's id), JSON-escaped where they land inside JSON. With neither message nor message-file a deploy notification (or, for releases, a release announcement) is sent.",
  },
  {
    name: 'message-file',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description: 'A file (relative to the workspace) holding the message, instead of message. Templated like message, except binary.',
  },
  {
    name: 'content-type',
    boolean: false,
    repeatable: false,
    default: 'auto',
    operations: ['send'],
    description: 'auto (JSON when the message parses as JSON, else text), json, text, or binary (message-file only).',
  },
  {
    name: 'release-tag',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description:
      "Announce this release (read through the GitHub API with github-token) instead of a deploy notification, on any event. On release events the event's release is announced without it.",
  },
  {
    name: 'github-token',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description: 'The token for the GitHub API, used only with release-tag.',
    secret: {
      env: 'GITHUB_TOKEN',
      file: false,
    },
  },
  {
    name: 'id',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description:
      "The send's id: the default notification's id field and {{ id }} in a message, which receivers drop copies by. Default: derived from the run, its attempt, the job and the step (the same for every retry, new for each run attempt). Set it in matrix jobs, which share those. 1 to 128 printable ASCII characters, no spaces.",
  },
  {
    name: 'notification-schema',
    boolean: false,
    repeatable: false,
    default: '2',
    operations: ['send'],
    description:
      "The default notification's shape: 2 (webpubsub-action/notification@2), or 1 for the deprecated @1 (no id), for receivers not yet updated; 1 goes away with the Action's next major version.",
  },
  {
    name: 'filter',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description: 'An OData filter over userId, connectionId and groups (send to hub, group or user).',
  },
  {
    name: 'excluded',
    boolean: false,
    repeatable: true,
    default: '',
    operations: ['send', 'close'],
    description: 'Connection ids that are left out, separated by commas or newlines (send to hub or group; close of hub, group or user).',
  },
  {
    name: 'message-ttl-seconds',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['send'],
    description: "How long (0 to 300 seconds) the service keeps trying to deliver; empty for the service's default.",
  },
  {
    name: 'reason',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['close'],
    description: 'The reason given to clients whose connections are closed (operation close).',
  },
  {
    name: 'count-recipients',
    boolean: true,
    repeatable: false,
    default: 'false',
    operations: ['send'],
    description:
      'Tell how many live connections the message went to (output recipients): group members at send time, 1 or 0 for a connection, 0 or "1 or more" for a user. Warns when nobody was listening. Not for target hub.',
  },
  {
    name: 'batch-size',
    boolean: false,
    repeatable: false,
    default: '',
    operations: ['close'],
    description: 'Close a group in waves of this many connections (operation close, target group); empty closes all at once.',
  },
  {
    name: 'batch-interval-seconds',
    boolean: false,
    repeatable: false,
    default: '0',
    operations: ['close'],
    description: 'Seconds to wait between waves, with batch-size.',
  },
  {
    name: 'api-version',
    boolean: false,
    repeatable: false,
    default: '2024-12-01',
    operations: ['send', 'close'],
    description: 'The REST api-version.',
  },
  {
    name: 'retries',
    boolean: false,
    repeatable: false,
    default: '3',
    operations: ['send', 'close'],
    description: 'Retries after the first attempt, on 408, 429, 5xx and network errors (0 to 20).',
  },
  {
    name: 'timeout-seconds',
    boolean: false,
    repeatable: false,
    default: '60',
    operations: ['send', 'close'],
    description: 'A bound on the whole step, retries and waits included (1 to 3600).',
  },
  {
    name: 'dry-run',
    boolean: true,
    repeatable: false,
    default: 'false',
    operations: ['send', 'close'],
    description: 'Validate and print the request that would go out (token masked); send nothing.',
  },
  {
    name: 'fail-on-error',
    boolean: true,
    repeatable: false,
    default: 'true',
    operations: ['send', 'close'],
    description: 'Fail the step when the service or the network fails. With false such a failure is a warning and ok=false; a bad input always fails the step.',
  },
];

/**
 * The notification the GitHub Action sends when a step gives no message of its own: a deploy notification, or a
 * release announcement. One versioned shape, so the apps that receive it (a dashboard, a browser page) can rely on
 * it; `schema/notification.schema.json` in the repository is the same shape as a JSON Schema.
 */

/** The value of the `schema` field: the shape's name and major version. A breaking change gets a new major. */
export const NOTIFICATION_SCHEMA = 'webpubsub-action/notification@1';

/** The `$id` of the JSON Schema file that describes {@link Notification}. */
export const NOTIFICATION_SCHEMA_ID = 'https://github.com/org/webpubsub-action/schema/notification.schema.json';

/** What happened: a deployment run (any event), or a GitHub release. */
export type NotificationKind = 'deployment' | 'release';

/** The release of a release announcement. */
export interface ReleaseInfo {
  /** The git tag, e.g. `v1.4.2`. */
  tag: string;
  /** The release title (GitHub falls back to the tag when it has none). */
  name: string;
  /** The release page. */
  url: string;
  prerelease: boolean;
  /** The release notes (Markdown), '' when there are none. */
  notes: string;
}

/**
 * A deploy notification or release announcement, as sent by the Action. Every field is always present (`null`
 * where GitHub gives no value), so clients need no guesswork.
 */
export interface Notification {
  schema: typeof NOTIFICATION_SCHEMA;
  kind: NotificationKind;
  /** `owner/name` */
  repository: string;
  /** The full ref, e.g. `refs/heads/main` or `refs/tags/v1.4.2`. */
  ref: string;
  /** The short ref name, e.g. `main` or `v1.4.2`. */
  refName: string;
  /** The commit SHA the workflow ran on. */
  sha: string;
  /** The workflow's name. */
  workflow: string;
  /** The run's id (a number, as a string: it outgrows 2^53 one day). */
  runId: string;
  /** The run's page: `<server>/<repository>/actions/runs/<runId>`. */
  runUrl: string;
  /** Who triggered the run. */
  actor: string;
  /** The deployment environment, when the event names one (deployment, deployment_status); else null. */
  environment: string | null;
  /** The event that triggered the run: `push`, `release`, `workflow_dispatch`, `deployment`, … */
  event: string;
  /** When the Action built the notification (ISO 8601, UTC). */
  timestamp: string;
  /** Present exactly when `kind` is `release`. */
  release?: ReleaseInfo;
}

/** True when `value` has the notification's `schema` marker (a cheap check before trusting the rest). */
export function isNotification(value: unknown): value is Notification {
  return typeof value === 'object' && value !== null && (value as { schema?: unknown }).schema === NOTIFICATION_SCHEMA;
}

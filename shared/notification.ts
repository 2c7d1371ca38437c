/**
 * The notification the GitHub Action and the CLI send when a step gives no message of its own: a deploy
 * notification, or a release announcement. One versioned shape, so the apps that receive it (a dashboard, a
 * browser page) can rely on it; `schema/notification.schema.json` in the repository is the same shape as a JSON
 * Schema, and `schema/notification-v1.schema.json` the deprecated first one.
 *
 * The shape is closed (no field outside it), so a receiver can trust every field it reads; the price is that a new
 * field is a new major version. `@2` added `id` and `ci` and made the run fields fit every CI; receivers accept
 * `@1` and `@2` alike, and the Action sends `@1` on request (`notification-schema: 1`) until its next major.
 */

/** The value of the `schema` field of the current shape: its name and major version. */
export const NOTIFICATION_SCHEMA = 'webpubsub-action/notification@2';

/** The `schema` field of the first shape, deprecated: sent only on request, accepted by every receiver. */
export const NOTIFICATION_SCHEMA_V1 = 'webpubsub-action/notification@1';

/** The `$id` of the JSON Schema file that describes {@link Notification}. */
export const NOTIFICATION_SCHEMA_ID = 'https://github.com/org/webpubsub-action/schema/notification.schema.json';

/** The rule of a notification's `id`: 1 to 128 printable ASCII characters, no spaces (safe in logs and headers). */
export const NOTIFICATION_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** What happened: a deployment run (any event), or a release. */
export type NotificationKind = 'deployment' | 'release';

/** The CI systems a notification can come from; `local` is a run by hand (a shell, a laptop). */
export const CI_PROVIDERS = ['github-actions', 'gitlab-ci', 'azure-pipelines', 'jenkins', 'local'] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];

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
 * The run a notification comes from, in the same shape whichever CI it ran in: what each front-end reads from its
 * environment before it builds a {@link Notification}.
 */
export interface NotificationSource {
  ci: CiProvider;
  /** `owner/name` on GitHub, the project path on GitLab, `project/repository` on Azure Pipelines. */
  repository: string;
  /** The full ref, e.g. `refs/heads/main` or `refs/tags/v1.4.2`; '' when the CI gives none. */
  ref: string;
  /** The short ref name, e.g. `main` or `v1.4.2`. */
  refName: string;
  /** The commit SHA the run is for (40 or 64 lower-case hex digits). */
  sha: string;
  /** The workflow or pipeline's name. */
  workflow: string;
  /** The run's id in its CI, as a string (it outgrows 2^53 one day, and not every CI's is a number). */
  runId: string;
  /** The run's page; null when there is none. */
  runUrl: string | null;
  /** Who triggered the run. */
  actor: string;
  /** The deployment environment, when the run names one; else null. */
  environment: string | null;
  /** What triggered the run, in the CI's own words: `push`, `release`, `merge_request_event`, `manual`, … */
  event: string;
}

/**
 * A deploy notification or release announcement (`webpubsub-action/notification@2`). Every field is always
 * present (`null` where the CI gives no value), so clients need no guesswork.
 */
export interface Notification extends NotificationSource {
  schema: typeof NOTIFICATION_SCHEMA;
  /**
   * The notification's identity: the same for every retry of one send, new for each run and run attempt. A
   * receiver that has seen it drops the copy (the browser module does).
   */
  id: string;
  kind: NotificationKind;
  /** When the notification was built (ISO 8601, UTC). */
  timestamp: string;
  /** Present exactly when `kind` is `release`. */
  release?: ReleaseInfo;
}

/**
 * The deprecated first shape (`webpubsub-action/notification@1`): GitHub's run only, no `id`, no `ci`.
 * @deprecated Sent only with `notification-schema: 1`; receivers should accept it until the Action's next major.
 */
export interface NotificationV1 {
  schema: typeof NOTIFICATION_SCHEMA_V1;
  kind: NotificationKind;
  /** `owner/name` */
  repository: string;
  ref: string;
  refName: string;
  sha: string;
  workflow: string;
  /** The run's id (digits). */
  runId: string;
  /** The run's page: `<server>/<repository>/actions/runs/<runId>`. */
  runUrl: string;
  actor: string;
  environment: string | null;
  event: string;
  timestamp: string;
  release?: ReleaseInfo;
}

/** True when `value` has the `schema` marker of either shape (a cheap check before trusting the rest). */
export function isNotification(value: unknown): value is Notification | NotificationV1 {
  if (typeof value !== 'object' || value === null) return false;
  const { schema } = value as { schema?: unknown };
  return schema === NOTIFICATION_SCHEMA || schema === NOTIFICATION_SCHEMA_V1;
}

/**
 * The default payloads: a deploy notification built from the run's context, or a release announcement. Both follow
 * the documented shape (shared/notification.ts, schema/notification.schema.json), or on request the deprecated
 * first one (schema/notification-v1.schema.json).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  NOTIFICATION_SCHEMA,
  NOTIFICATION_SCHEMA_V1,
  type Notification,
  type NotificationSource,
  type NotificationV1,
  type ReleaseInfo,
} from '../shared/notification.js';
import type { GitHubContext } from './context.js';

/** The shape's major version: 2, or the deprecated 1. */
export type NotificationSchemaVersion = 1 | 2;

/** How to build a notification: its identity and its shape. */
export interface NotificationOptions {
  id: string;
  schema: NotificationSchemaVersion;
}

/**
 * A deploy notification, or with `release` a release announcement.
 * @param source - the run's fields (the front-end's `context.source`)
 * @param now - the timestamp (a parameter so that tests can fix it)
 */
export function buildNotification(
  source: NotificationSource,
  { id, schema }: NotificationOptions,
  release?: ReleaseInfo,
  now = new Date(),
): Notification | NotificationV1 {
  const timestamp = now.toISOString();
  const kind = release ? 'release' : 'deployment';
  if (schema === 1) {
    const { ci: _ci, ...fields } = source;
    return { schema: NOTIFICATION_SCHEMA_V1, kind, ...fields, runUrl: source.runUrl ?? '', timestamp, ...(release && { release }) };
  }
  return { schema: NOTIFICATION_SCHEMA, id, kind, ...source, timestamp, ...(release && { release }) };
}

/** A GitHub run's fields in the shape every CI shares. */
export function sourceOf(context: GitHubContext): NotificationSource {
  return {
    ci: 'github-actions',
    repository: context.repository,
    ref: context.ref,
    refName: context.refName,
    sha: context.sha,
    workflow: context.workflow,
    runId: context.runId,
    runUrl: context.runUrl || null,
    actor: context.actor,
    environment: environmentOf(context.event),
    event: context.eventName,
  };
}

/**
 * The id of this step's send: the run, its attempt, the job and the step, as the runner names them, so every
 * retry of the send carries the same id and a re-run gets a new one. Two jobs of one matrix share all four: give
 * each its own `id` input. Outside a runner (no run id) it is random.
 */
export function defaultNotificationId(env: NodeJS.ProcessEnv): string {
  const runId = env.GITHUB_RUN_ID;
  if (!runId) return `local-${randomUUID()}`;
  const id = ['gh', runId, env.GITHUB_RUN_ATTEMPT || '1', env.GITHUB_JOB, env.GITHUB_ACTION]
    .filter(Boolean)
    .join('-')
    .replace(/[^\x21-\x7e]/g, '_');
  // Job and step ids are short in practice; a long one is folded into a digest so the id keeps within 128.
  return id.length <= 128 ? id : `${id.slice(0, 80)}-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/** The deployment environment a deployment or deployment_status event names; null for other events. */
function environmentOf(event: Record<string, unknown>): string | null {
  for (const key of ['deployment_status', 'deployment']) {
    const environment = (event[key] as { environment?: unknown } | undefined)?.environment;
    if (typeof environment === 'string' && environment) return environment;
  }
  return null;
}

/** The shape of a release in GitHub's webhook payloads and REST answers (the fields used here). */
export interface GitHubRelease {
  tag_name: string;
  name?: string | null;
  html_url: string;
  prerelease?: boolean;
  body?: string | null;
}

/** The announcement's release fields from GitHub's release object. */
export function toReleaseInfo(release: GitHubRelease): ReleaseInfo {
  return {
    tag: release.tag_name,
    name: release.name || release.tag_name,
    url: release.html_url,
    prerelease: release.prerelease === true,
    notes: release.body ?? '',
  };
}

/** The release of a `release` event, if this run is one. */
export function releaseFromEvent(context: GitHubContext): ReleaseInfo | undefined {
  const release = context.event.release as GitHubRelease | undefined;
  return context.eventName === 'release' && typeof release?.tag_name === 'string' ? toReleaseInfo(release) : undefined;
}

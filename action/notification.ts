/**
 * The default payloads: a deploy notification built from the run's context, or a release announcement. Both follow
 * the one documented shape (shared/notification.ts, schema/notification.schema.json).
 */
import { NOTIFICATION_SCHEMA, type Notification, type ReleaseInfo } from '../shared/notification.js';
import type { GitHubContext } from './context.js';

/**
 * A deploy notification, or with `release` a release announcement.
 * @param now - the timestamp (a parameter so that tests can fix it)
 */
export function buildNotification(context: GitHubContext, release?: ReleaseInfo, now = new Date()): Notification {
  return {
    schema: NOTIFICATION_SCHEMA,
    kind: release ? 'release' : 'deployment',
    repository: context.repository,
    ref: context.ref,
    refName: context.refName,
    sha: context.sha,
    workflow: context.workflow,
    runId: context.runId,
    runUrl: context.runUrl,
    actor: context.actor,
    environment: environmentOf(context.event),
    event: context.eventName,
    timestamp: now.toISOString(),
    ...(release && { release }),
  };
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

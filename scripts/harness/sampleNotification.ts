/**
 * A valid `webpubsub-action/notification@2` deploy notification with the id given: what a sender of the tests'
 * and the bench's own sends, where the Action's run is not the point.
 */
import type { Notification } from '../../shared/notification.js';

export function sampleNotification(id: string): Notification & { kind: 'deployment' } {
  return {
    schema: 'webpubsub-action/notification@2',
    id,
    kind: 'deployment',
    ci: 'local',
    repository: 'octo-org/shop',
    ref: 'refs/heads/main',
    refName: 'main',
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    workflow: 'Deploy',
    runId: '1',
    runUrl: null,
    actor: 'octocat',
    environment: null,
    event: 'push',
    timestamp: '2026-12-07T12:00:00Z',
  };
}

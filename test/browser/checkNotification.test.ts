/**
 * The browser module's hand-written notification check against schema/notification.schema.json (through ajv), on
 * valid and invalid samples made from the Action's own payloads: each sample has the verdict it should get, and
 * both must give it. A rule added to the schema or the check alone fails here.
 */
import { describe, expect, test } from '@jest/globals';
import { checkNotification, NOTIFICATION_SCHEMA } from '../../browser/index.js';
import { NOTIFICATION_SCHEMA as CORE_NOTIFICATION_SCHEMA } from '../../shared/index.js';
import { PUSH, RELEASE, runAction, type GitHubEvent } from '../../scripts/harness/actionRunner.js';
import { notificationSchema, validateNotification } from '../helpers/notificationSchema.js';

/**
 * The base samples are what the bundled Action builds for a push and for a release (a dry run: nothing is sent),
 * so the check is held to the Action's real output as well as to the schema.
 */
async function payloadOf(event: GitHubEvent): Promise<Record<string, unknown>> {
  const run = await runAction({
    event,
    inputs: { 'connection-string': 'Endpoint=http://127.0.0.1:1;AccessKey=dry-run-key;Version=1.0;', hub: 'dry', 'dry-run': 'true' },
  });
  return JSON.parse(run.outputs.payload!) as Record<string, unknown>;
}
const [deployment, release] = await Promise.all([payloadOf(PUSH), payloadOf(RELEASE)]);
const releaseInfo = release.release as Record<string, unknown>;
type Sample = Record<string, unknown>;
const without = (sample: Sample, field: string): Sample => Object.fromEntries(Object.entries(sample).filter(([name]) => name !== field));
const withRelease = (fields: Sample): Sample => ({ ...release, release: { ...releaseInfo, ...fields } });

const VALID: [string, unknown][] = [
  ['a deploy notification of a push', deployment],
  ['a deploy notification naming its environment', { ...deployment, event: 'deployment', environment: 'production' }],
  ['a release announcement', release],
  ['a pre-release with notes', withRelease({ prerelease: true, notes: '## What changed\n- <script> stays text' })],
  ['a SHA-256 commit', { ...deployment, sha: 'ab'.repeat(32) }],
  ['a timestamp with an offset and no fraction', { ...deployment, timestamp: '2026-11-30T12:00:00+02:00' }],
  ['empty strings where the schema allows them', { ...deployment, ref: '', refName: '', workflow: '', actor: '', event: '' }],
];

const stringFields = Object.entries(notificationSchema.properties)
  .filter(([, rule]) => rule.type === 'string')
  .map(([name]) => name);
const { required } = notificationSchema;
const releaseRequired = notificationSchema.properties.release.required;

const INVALID: [string, unknown][] = [
  ['null', null],
  ['an array', [deployment]],
  ['a string', JSON.stringify(deployment)],
  ['another major version of the shape', { ...deployment, schema: 'webpubsub-action/notification@2' }],
  ['another kind', { ...deployment, kind: 'deploy' }],
  ['a field the shape does not have', { ...deployment, version: 'v1.4.2' }],
  ['a repository without an owner', { ...deployment, repository: 'shop' }],
  ['a repository path', { ...deployment, repository: 'octo-org/shop/extra' }],
  ['an upper-case SHA', { ...deployment, sha: String(deployment.sha).toUpperCase() }],
  ['a short SHA', { ...deployment, sha: 'a1b2c3d' }],
  ['a run id with letters', { ...deployment, runId: '16000000001a' }],
  ['a run id as a number', { ...deployment, runId: 16000000001 }],
  ['a run URL that is not a URL', { ...deployment, runUrl: 'actions/runs/1' }],
  ['an environment that is a number', { ...deployment, environment: 5 }],
  ['a timestamp in words', { ...deployment, timestamp: 'yesterday' }],
  ['a timestamp in month 13', { ...deployment, timestamp: '2026-13-01T00:00:00Z' }],
  ['a date without a time', { ...deployment, timestamp: '2026-11-30' }],
  ['a deploy notification with a release', { ...deployment, release: releaseInfo }],
  ['a release announcement without its release', without(release, 'release')],
  ['a release that is null', { ...release, release: null }],
  ['an empty tag', withRelease({ tag: '' })],
  ['prerelease as text', withRelease({ prerelease: 'false' })],
  ['a relative release URL', withRelease({ url: '/releases/tag/v1.4.2' })],
  ['a release field the shape does not have', withRelease({ assets: [] })],
  ...required.map((field): [string, unknown] => [`no ${field}`, without(deployment, field)]),
  ...stringFields.map((field): [string, unknown] => [`${field} as a number`, { ...deployment, [field]: 42 }]),
  ...releaseRequired.map((field): [string, unknown] => [`a release without ${field}`, { ...release, release: without(releaseInfo, field) }]),
];

describe('checkNotification agrees with schema/notification.schema.json', () => {
  test.each(VALID)('valid: %s', (_what, sample) => {
    expect(validateNotification(sample)).toBe(true);
    expect(checkNotification(sample)).toEqual({ valid: true, notification: sample });
  });

  test.each(INVALID)('invalid: %s', (_what, sample) => {
    expect(validateNotification(sample)).toBe(false);
    const check = checkNotification(sample);
    expect(check.valid).toBe(false);
    expect(check.valid === false && check.reason).toMatch(/\S/);
  });

  test('the reason names the field and the rule', () => {
    const reasons = [
      without(deployment, 'sha'),
      { ...deployment, kind: 'deploy' },
      { ...deployment, schema: 'something/else@1' },
      { ...deployment, version: 'v1' },
      without(release, 'release'),
      withRelease({ prerelease: 'no' }),
    ].map((sample) => (checkNotification(sample) as { reason: string }).reason);
    expect(reasons).toEqual([
      'sha is missing',
      'kind must be one of "deployment", "release" (got string "deploy")',
      'schema must be "webpubsub-action/notification@1" (got string "something/else@1")',
      'version is not a field of a notification',
      'release is missing (kind "release" carries its release)',
      'release.prerelease must be a boolean (got string "no")',
    ]);
  });

  test('its schema constant is the package root’s and the schema file’s', () => {
    expect(NOTIFICATION_SCHEMA).toBe(CORE_NOTIFICATION_SCHEMA);
    expect(NOTIFICATION_SCHEMA).toBe(notificationSchema.properties.schema.const);
  });
});

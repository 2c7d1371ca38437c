/**
 * The browser module's hand-written notification check against both schema files (through ajv), the current
 * schema/notification.schema.json (@2) and the deprecated schema/notification-v1.schema.json (@1), on valid and
 * invalid samples made from the Action's own payloads: each sample has the verdict it should get, and both must
 * give it. A rule added to a schema or to the check alone fails here.
 */
import { describe, expect, test } from '@jest/globals';
import { checkNotification, NOTIFICATION_SCHEMA, NOTIFICATION_SCHEMA_V1 } from '../../browser/index.js';
import { NOTIFICATION_SCHEMA as CORE_NOTIFICATION_SCHEMA, NOTIFICATION_SCHEMA_V1 as CORE_NOTIFICATION_SCHEMA_V1 } from '../../shared/index.js';
import { PUSH, RELEASE, runAction, type GitHubEvent } from '../../scripts/harness/actionRunner.js';
import { notificationSchema, notificationSchemaV1, validateNotification, validateNotificationV1 } from '../helpers/notificationSchema.js';

/**
 * The base samples are what the bundled Action builds for a push and for a release (a dry run: nothing is sent),
 * in the current shape and, with notification-schema: 1, in the deprecated one; so the check is held to the
 * Action's real output as well as to the schemas.
 */
async function payloadOf(event: GitHubEvent, schema: '1' | '2'): Promise<Record<string, unknown>> {
  const run = await runAction({
    event,
    inputs: {
      'connection-string': 'Endpoint=http://127.0.0.1:1;AccessKey=dry-run-key;Version=1.0;',
      hub: 'dry',
      'dry-run': 'true',
      'notification-schema': schema,
    },
  });
  return JSON.parse(run.outputs.payload!) as Record<string, unknown>;
}
type Sample = Record<string, unknown>;
const without = (sample: Sample, field: string): Sample => Object.fromEntries(Object.entries(sample).filter(([name]) => name !== field));

/** The samples both shapes share, made from one shape's deploy notification and release announcement. */
function commonCases(deployment: Sample, release: Sample, schemaFile: typeof notificationSchema) {
  const releaseInfo = release.release as Sample;
  const withRelease = (fields: Sample): Sample => ({ ...release, release: { ...releaseInfo, ...fields } });
  const stringFields = Object.entries(schemaFile.properties)
    .filter(([, rule]) => rule.type === 'string')
    .map(([name]) => name);
  const valid: [string, unknown][] = [
    ['a deploy notification of a push', deployment],
    ['a deploy notification naming its environment', { ...deployment, event: 'deployment', environment: 'production' }],
    ['a release announcement', release],
    ['a pre-release with notes', withRelease({ prerelease: true, notes: '## What changed\n- <script> stays text' })],
    ['a SHA-256 commit', { ...deployment, sha: 'ab'.repeat(32) }],
    ['a timestamp with an offset and no fraction', { ...deployment, timestamp: '2026-11-30T12:00:00+02:00' }],
    ['empty strings where the schema allows them', { ...deployment, ref: '', refName: '', workflow: '', actor: '', event: '' }],
  ];
  const invalid: [string, unknown][] = [
    ['null', null],
    ['an array', [deployment]],
    ['a string', JSON.stringify(deployment)],
    ['a later major version of the shape', { ...deployment, schema: 'webpubsub-action/notification@3' }],
    ['no schema at all', without(deployment, 'schema')],
    ['another kind', { ...deployment, kind: 'deploy' }],
    ['a field the shape does not have', { ...deployment, version: 'v1.4.2' }],
    ['an upper-case SHA', { ...deployment, sha: String(deployment.sha).toUpperCase() }],
    ['a short SHA', { ...deployment, sha: 'a1b2c3d' }],
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
    ...schemaFile.required.map((field): [string, unknown] => [`no ${field}`, without(deployment, field)]),
    ...stringFields.map((field): [string, unknown] => [`${field} as a number`, { ...deployment, [field]: 42 }]),
    ...schemaFile.properties.release.required.map((field): [string, unknown] => [
      `a release without ${field}`,
      { ...release, release: without(releaseInfo, field) },
    ]),
  ];
  return { valid, invalid };
}

const [deployment, release, deploymentV1, releaseV1] = await Promise.all([
  payloadOf(PUSH, '2'),
  payloadOf(RELEASE, '2'),
  payloadOf(PUSH, '1'),
  payloadOf(RELEASE, '1'),
]);

const V2 = commonCases(deployment, release, notificationSchema);
V2.valid.push(
  ['a GitLab project path and pipeline', { ...deployment, ci: 'gitlab-ci', repository: 'platform/web/shop', runId: '981', event: 'push' }],
  ['a run id that is not a number', { ...deployment, ci: 'jenkins', runId: 'jenkins-shop-deploy-42' }],
  ['a run by hand, without a run page', { ...deployment, ci: 'local', runUrl: null }],
  ['an id of 128 characters', { ...deployment, id: 'x'.repeat(128) }],
);
V2.invalid.push(
  ['an id with a space', { ...deployment, id: 'gh 1' }],
  ['an empty id', { ...deployment, id: '' }],
  ['an id of 129 characters', { ...deployment, id: 'x'.repeat(129) }],
  ['an id beyond ASCII', { ...deployment, id: 'déploiement' }],
  ['a CI the shape does not know', { ...deployment, ci: 'travis' }],
  ['an empty repository', { ...deployment, repository: '' }],
  ['an empty run id', { ...deployment, runId: '' }],
  ['the deprecated schema with the new fields', { ...deployment, schema: NOTIFICATION_SCHEMA_V1 }],
);

const V1 = commonCases(deploymentV1, releaseV1, notificationSchemaV1);
V1.invalid.push(
  ['a repository without an owner', { ...deploymentV1, repository: 'shop' }],
  ['a repository path', { ...deploymentV1, repository: 'octo-org/shop/extra' }],
  ['a run id with letters', { ...deploymentV1, runId: '16000000001a' }],
  ['no run page', { ...deploymentV1, runUrl: null }],
  ['an id, which @1 does not have', { ...deploymentV1, id: 'gh-1' }],
);

describe.each([
  { shape: '@2', cases: V2, validate: validateNotification },
  { shape: '@1 (deprecated)', cases: V1, validate: validateNotificationV1 },
])('checkNotification agrees with the schema file of $shape', ({ cases, validate }) => {
  test.each(cases.valid)('valid: %s', (_what, sample) => {
    expect(validate(sample)).toBe(true);
    expect(checkNotification(sample)).toEqual({ valid: true, notification: sample });
  });

  test.each(cases.invalid)('invalid: %s', (_what, sample) => {
    expect(validate(sample)).toBe(false);
    const check = checkNotification(sample);
    expect(check.valid).toBe(false);
    expect(check.valid === false && check.reason).toMatch(/\S/);
  });
});

describe('checkNotification', () => {
  test('the Action sends @2 by default and @1 only on request', () => {
    expect(deployment).toMatchObject({ schema: NOTIFICATION_SCHEMA, ci: 'github-actions', id: expect.stringMatching(/^gh-16000000001-1-/) });
    expect(deploymentV1.schema).toBe(NOTIFICATION_SCHEMA_V1);
    expect(deploymentV1).not.toHaveProperty('id');
  });

  test('the reason names the field and the rule', () => {
    const reasons = [
      without(deployment, 'sha'),
      { ...deployment, kind: 'deploy' },
      { ...deployment, schema: 'something/else@1' },
      { ...deployment, version: 'v1' },
      without(release, 'release'),
      { ...release, release: { ...(release.release as Sample), prerelease: 'no' } },
      { ...deployment, id: 'two words' },
      { ...deploymentV1, id: 'gh-1' },
    ].map((sample) => (checkNotification(sample) as { reason: string }).reason);
    expect(reasons).toEqual([
      'sha is missing',
      'kind must be one of "deployment", "release" (got string "deploy")',
      'schema must be "webpubsub-action/notification@2" or "webpubsub-action/notification@1" (got string "something/else@1")',
      'version is not a field of a notification',
      'release is missing (kind "release" carries its release)',
      'release.prerelease must be a boolean (got string "no")',
      'id must be 1 to 128 printable ASCII characters without spaces',
      'id is not a field of a notification',
    ]);
  });

  test('its schema constants are the package root’s and the schema files’', () => {
    expect([NOTIFICATION_SCHEMA, NOTIFICATION_SCHEMA_V1]).toEqual([CORE_NOTIFICATION_SCHEMA, CORE_NOTIFICATION_SCHEMA_V1]);
    expect(NOTIFICATION_SCHEMA).toBe(notificationSchema.properties.schema.const);
    expect(NOTIFICATION_SCHEMA_V1).toBe(notificationSchemaV1.properties.schema.const);
  });
});

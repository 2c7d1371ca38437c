/**
 * Unit tests of the input reading and the templating, with a fake `core` (STYLE §6): the rules that need no
 * process, checked directly. The behaviour tests go through the bundle.
 */
import { describe, expect, test } from '@jest/globals';
import { readConfig } from '../../action/config.js';
import type { GitHubContext } from '../../action/context.js';
import { ACTION_WORDING } from '../../action/inputError.js';
import { defaultNotificationId, sourceOf } from '../../action/notification.js';
import type { Runner } from '../../action/runner.js';
import { neutralizeJson, renderJson, renderText } from '../../action/template.js';

const context: GitHubContext = {
  repository: 'octo-org/shop',
  repositoryOwner: 'octo-org',
  ref: 'refs/heads/main',
  refName: 'main',
  refType: 'branch',
  sha: 'a'.repeat(40),
  workflow: 'Deploy',
  workflowRef: '',
  job: 'notify',
  runId: '1',
  runNumber: '7',
  runAttempt: '1',
  runUrl: 'https://github.com/octo-org/shop/actions/runs/1',
  actor: 'octocat',
  triggeringActor: 'octocat',
  eventName: 'push',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  headRef: '',
  baseRef: '',
  event: { head_commit: { message: 'say "hi"\n\\o/' }, number: 12 },
};

/** A fake runner: inputs from a map, the context above, and a record of what was masked and logged, in order. */
function fakeRunner(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const calls: string[] = [];
  const runner = {
    frontEnd: 'action',
    input: (name: string) => {
      calls.push(`getInput ${name}`);
      return inputs[name] ?? '';
    },
    inputNames: () => Object.keys(inputs),
    wording: ACTION_WORDING,
    context: { source: sourceOf(context), github: context, env, defaultId: defaultNotificationId(env), sourceHint: 'set it' },
    mask: (secret: string) => void calls.push(`setSecret ${secret}`),
    log: { warning: (text: string) => void calls.push(`warning ${text}`) },
  } as unknown as Runner;
  return { runner, calls };
}

describe('readConfig', () => {
  const cs = 'Endpoint=https://x.webpubsub.azure.com;AccessKey=c2VjcmV0;Version=1.0;';

  test('masks the connection string, its key and the GitHub token before reading any other input', () => {
    const { runner, calls } = fakeRunner({ 'connection-string': cs, 'github-token': 'ghs_token', hub: 'h' });
    readConfig(runner);
    const firstOther = calls.findIndex((call) => call.startsWith('getInput') && !/connection-string|access-key|github-token/.test(call));
    const masks = calls.filter((call) => call.startsWith('setSecret'));
    expect(masks).toEqual([`setSecret ${cs}`, 'setSecret ghs_token', 'setSecret c2VjcmV0']);
    expect(calls.map((call) => call.startsWith('setSecret')).lastIndexOf(true)).toBeLessThan(firstOther);
  });

  test('reads each input once', () => {
    const { runner, calls } = fakeRunner({ 'connection-string': cs, hub: 'h', operation: 'close', target: 'group', group: 'g', 'batch-size': '2' });
    readConfig(runner);
    const reads = calls.filter((call) => call.startsWith('getInput'));
    expect(reads.length).toBe(new Set(reads).size);
  });

  test('the defaults give a send to the hub of a deploy notification', () => {
    const config = readConfig(fakeRunner({ 'connection-string': cs, hub: 'h' }).runner);
    expect(config).toMatchObject({
      auth: { kind: 'connection-string' },
      hub: 'h',
      operation: 'send',
      target: { kind: 'hub' },
      message: undefined,
      excluded: [],
      countRecipients: false,
      waves: undefined,
      apiVersion: '2024-12-01',
      retries: 3,
      timeoutSeconds: 60,
      dryRun: false,
      failOnError: true,
    });
  });

  test('excluded takes commas and newlines; waves read batch size and interval', () => {
    const config = readConfig(
      fakeRunner({
        'connection-string': cs,
        hub: 'h',
        operation: 'close',
        target: 'group',
        group: 'g',
        excluded: 'a, b\nc\n',
        'batch-size': '3',
        'batch-interval-seconds': '0.5',
      }).runner,
    );
    expect(config.excluded).toEqual(['a', 'b', 'c']);
    expect(config.waves).toEqual({ batchSize: 3, intervalSeconds: 0.5 });
  });

  test('Entra settings, with the default audience and authority', () => {
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/y?a=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' };
    const config = readConfig(fakeRunner({ endpoint: 'https://x.webpubsub.azure.com', 'client-id': 'c', 'tenant-id': 't', hub: 'h' }, env).runner);
    expect(config.auth).toEqual({
      kind: 'entra',
      endpoint: 'https://x.webpubsub.azure.com',
      clientId: 'c',
      tenantId: 't',
      audience: 'api://AzureADTokenExchange',
      authorityHost: 'https://login.microsoftonline.com',
    });
  });

  test('booleans are spelled as YAML 1.2 core spells them', () => {
    for (const [text, value] of [
      ['true', true],
      ['True', true],
      ['TRUE', true],
      ['false', false],
      ['FALSE', false],
    ] as const) {
      expect(readConfig(fakeRunner({ 'connection-string': cs, hub: 'h', 'dry-run': text }).runner).dryRun).toBe(value);
    }
  });
});

describe('the send id', () => {
  const cs = 'Endpoint=https://x.webpubsub.azure.com;AccessKey=c2VjcmV0;Version=1.0;';
  const runner = { GITHUB_RUN_ID: '16000000001', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'notify', GITHUB_ACTION: '__org_webpubsub-action' };
  const idOf = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = runner) =>
    readConfig(fakeRunner({ 'connection-string': cs, hub: 'h', ...inputs }, env).runner).id;

  test('comes from the run, its attempt, the job and the step, so each retry of the step shares it and a re-run does not', () => {
    expect(idOf({})).toBe('gh-16000000001-2-notify-__org_webpubsub-action');
    expect(idOf({}, { ...runner, GITHUB_RUN_ATTEMPT: '3' })).toBe('gh-16000000001-3-notify-__org_webpubsub-action');
  });

  test('stays within the id rule when the runner gives long or odd names', () => {
    const id = idOf({}, { ...runner, GITHUB_JOB: 'j'.repeat(100), GITHUB_ACTION: 'step with spaces' });
    expect(id).toMatch(/^[\x21-\x7e]{1,128}$/);
    expect(id).not.toBe(idOf({}, { ...runner, GITHUB_JOB: 'j'.repeat(100), GITHUB_ACTION: 'another step' }));
  });

  test('outside a runner it is random, never empty', () => {
    const [a, b] = [idOf({}, {}), idOf({}, {})];
    expect(a).toMatch(/^local-[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });

  test('the id input overrides it, by the id rule', () => {
    expect(idOf({ id: 'release-v1.4.2' })).toBe('release-v1.4.2');
    for (const bad of ['two words', 'x'.repeat(129), 'déploiement']) {
      expect(() => idOf({ id: bad })).toThrow(/^Input 'id' must be 1 to 128 printable ASCII characters without spaces/);
    }
    expect(() => idOf({ id: 'x', operation: 'close' })).toThrow("Input 'id' applies to operation: send only");
  });

  test('notification-schema 1 is deprecated, warned about, and only for the default notification', () => {
    const warnings: string[] = [];
    const { runner: fake } = fakeRunner({ 'connection-string': cs, hub: 'h', 'notification-schema': '1' }, runner);
    fake.log.warning = (text) => warnings.push(text);
    expect(readConfig(fake).notificationSchema).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('notification-schema 1 is deprecated')]);
    expect(() => idOf({ 'notification-schema': '3' })).toThrow("Input 'notification-schema' must be one of 1, 2");
    expect(() => idOf({ 'notification-schema': '1', message: 'hi' })).toThrow("Input 'notification-schema' applies to the default notification only");
    expect(() => idOf({ 'notification-schema': '1', operation: 'close' })).toThrow("Input 'notification-schema' applies to operation: send only");
    // The runner passes action.yml's default to every step: it must not count as set.
    expect(idOf({ 'notification-schema': '2', message: 'hi' })).toMatch(/^gh-/);
  });
});

describe('templating', () => {
  const scope = { github: context, source: sourceOf(context), env: { STAGE: 'prod "blue"' }, id: 'gh-1-1-deploy-notify' };

  test('inside a JSON string a value is escaped; outside it is a JSON value', () => {
    const text = '{"m": "{{ github.event.head_commit.message }}", "n": {{ github.event.number }}, "s": {{ env.STAGE }}}';
    expect(JSON.parse(renderJson(text, scope))).toEqual({ m: 'say "hi"\n\\o/', n: 12, s: 'prod "blue"' });
  });

  test('a placeholder after an escaped quote is still inside the string', () => {
    expect(JSON.parse(renderJson('{"m": "a \\" {{ github.ref_name }}"}', scope))).toEqual({ m: 'a " main' });
  });

  test('the stand-ins keep positions, so JSON errors point at the right character', () => {
    const text = '{"a": "{{ github.sha }}", "b": {{ github.run_id }}}';
    expect(neutralizeJson(text)).toHaveLength(text.length);
    expect(JSON.parse(neutralizeJson(text))).toEqual({ a: expect.any(String), b: null });
  });

  test('{{ id }} is the send id, so a message of your own can carry it', () => {
    expect(JSON.parse(renderJson('{"id": "{{ id }}", "v": "{{ github.ref_name }}"}', scope))).toEqual({ id: 'gh-1-1-deploy-notify', v: 'main' });
  });

  test('text messages get raw values', () => {
    expect(renderText('{{ github.actor }} deployed {{ github.sha }} ({{ github.run_url }})', scope)).toBe(
      `octocat deployed ${'a'.repeat(40)} (https://github.com/octo-org/shop/actions/runs/1)`,
    );
  });

  test.each([
    ['{{ github.nope }}', 'not a template field'],
    ['{{ env.MISSING }}', 'the variable MISSING is not set'],
    ['{{ github.event.release.tag_name }}', 'the push event has no such field'],
  ])('%s is refused', (text, message) => {
    expect(() => renderText(text, scope)).toThrow(message);
  });
});

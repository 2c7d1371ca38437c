/**
 * The schema change as a receiver already deployed sees it: the browser module's checkNotification as it was
 * before `@2` (taken from git history, compiled here) is run against what today's Action sends. A page built
 * against `@1` keeps working while the sender pins `notification-schema: 1`; given `@2` it refuses the message by
 * its `schema` field, saying so, rather than misreading it; today's check takes both.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from '@jest/globals';
import ts from 'typescript';
import { checkNotification } from '../../browser/index.js';
import { PUSH, RELEASE, ROOT, runAction, type GitHubEvent } from '../../scripts/harness/actionRunner.js';

/** The last commit whose browser module knew only `webpubsub-action/notification@1`. */
const BEFORE_V2 = '8bf5378';

type Check = (value: unknown) => { valid: boolean; reason?: string };

/** The module's files at that commit, compiled to JavaScript in a folder of their own, then imported. */
async function checkNotificationAt(commit: string, dir: string): Promise<Check> {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
  for (const file of ['checkNotification', 'browserGlobals']) {
    const source = execFileSync('git', ['show', `${commit}:browser/${file}.ts`], { cwd: ROOT, encoding: 'utf8' });
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(join(dir, `${file}.js`), outputText);
  }
  return ((await import(pathToFileURL(join(dir, 'checkNotification.js')).href)) as { checkNotification: Check }).checkNotification;
}

const dir = mkdtempSync(join(tmpdir(), 'check-v1-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const oldCheck = await checkNotificationAt(BEFORE_V2, dir);

async function payloadOf(event: GitHubEvent, schema?: '1'): Promise<unknown> {
  const run = await runAction({
    event,
    inputs: {
      'connection-string': 'Endpoint=http://127.0.0.1:1;AccessKey=dry-run-key;Version=1.0;',
      hub: 'dry',
      'dry-run': 'true',
      ...(schema && { 'notification-schema': schema }),
    },
  });
  return JSON.parse(run.outputs.payload!);
}
const [deployV2, releaseV2, deployV1, releaseV1] = await Promise.all([payloadOf(PUSH), payloadOf(RELEASE), payloadOf(PUSH, '1'), payloadOf(RELEASE, '1')]);

test('the check of before @2 is the one from history: it knew @1 only', () => {
  expect(oldCheck({ schema: 'webpubsub-action/notification@2' })).toMatchObject({ valid: false, reason: expect.stringContaining('notification@1') });
});

test('a receiver built against @1 accepts what the Action sends with notification-schema: 1', () => {
  expect(oldCheck(deployV1)).toEqual({ valid: true, notification: deployV1 });
  expect(oldCheck(releaseV1)).toEqual({ valid: true, notification: releaseV1 });
});

test('a receiver built against @1 refuses @2 by its schema field, naming it, rather than misreading it', () => {
  for (const payload of [deployV2, releaseV2]) {
    expect(oldCheck(payload)).toEqual({
      valid: false,
      reason: 'schema must be "webpubsub-action/notification@1" (got string "webpubsub-action/notification@2")',
    });
  }
});

test("today's receiver accepts both shapes", () => {
  for (const payload of [deployV2, releaseV2, deployV1, releaseV1]) expect(checkNotification(payload)).toMatchObject({ valid: true });
});

/**
 * Programs under `pulumi.runtime.setMocks`, each in a process of its own as under the CLI: the resources register
 * with their type tokens, and neither the serialized provider nor the state holds a secret. The `pulumi new
 * typescript` template's program runs from the packed package in test/consumers/packedPackage.test.ts.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { runMockedProgram, type ProgramRun, type Registration } from '../helpers/mockedProgram.js';

const PROGRAM = new URL('./programs/deployments.js', import.meta.url).pathname;
const MEMBERSHIP = 'pulumi-nodejs:dynamic/webpubsub:GroupMembership';
const GRANT = 'pulumi-nodejs:dynamic/webpubsub:PermissionGrant';

const ACCESS_KEY = 'program-test-access-key-0123456789abcdefABCDEF=';
const CONNECTION_STRING = `Endpoint=https://example.webpubsub.azure.com;AccessKey=${ACCESS_KEY};Version=1.0;`;
/** The secret in the stack config and in the environment, where a careless provider would capture it. */
const WITH_SECRETS = {
  config: { 'webpubsub:connectionString': CONNECTION_STRING },
  secrets: ['webpubsub:connectionString'],
  env: { WEBPUBSUB_CONNECTION_STRING: CONNECTION_STRING },
};

const byName = (run: ProgramRun, name: string): Registration => run.registrations.find((r) => r.name === name)!;

function expectNoSecret(run: ProgramRun): void {
  const everything = JSON.stringify(run);
  expect(everything).not.toContain(ACCESS_KEY);
  expect(everything).not.toContain('AccessKey=');
}

describe('the ESM program', () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runMockedProgram(PROGRAM, WITH_SECRETS);
  });

  test('registers both resources with their type tokens and their inputs as written', () => {
    expect(run.registrations.map(({ type, name, id }) => ({ type, name, id }))).toEqual(
      expect.arrayContaining([
        { type: MEMBERSHIP, name: 'release-watchers', id: undefined },
        { type: GRANT, name: 'agent-joins', id: undefined },
        { type: MEMBERSHIP, name: 'existing-oncall', id: 'deployments/groups/on-call' },
      ]),
    );
    const { __provider, ...inputs } = byName(run, 'release-watchers').inputs;
    // Under mocks no provider code runs: `check` normalizes inside the provider host only.
    expect(inputs).toEqual({ hub: 'deployments', group: 'releases', userIds: ['bob', 'alice', 'bob'], connectionIds: ['dashboard-connection'] });
    expect(typeof __provider).toBe('string');
    expect(run.outputs.watchers).toBe(`urn:pulumi:dev::project::${MEMBERSHIP}::release-watchers`);
  });

  test('the serialized providers and the state hold no secret, though the config and the environment do', () => {
    expectNoSecret(run);
  });

  test('the serialized providers load the core client by package name and pin no file path', () => {
    for (const name of ['release-watchers', 'agent-joins']) {
      const code = byName(run, name).inputs.__provider;
      expect(code.match(/require(\.resolve)?\(['"][^'"]+['"]\)/g)?.sort()).toEqual(
        expect.arrayContaining(["require('webpubsub-action')", "require('@azure/identity')", "require.resolve('@azure/identity')"]),
      );
      expect(code.match(/require(\.resolve)?\(['"][^'"]+['"]\)/g)!.every((call) => /webpubsub-action'|@azure\/identity'/.test(call))).toBe(true);
      expect(code).not.toMatch(/node_modules|\/build\/|\/work\//);
      expect(code.length).toBeLessThan(64 * 1024);
    }
    // One provider object per class: every membership carries the very same code.
    expect(byName(run, 'existing-oncall').inputs.__provider).toBe(byName(run, 'release-watchers').inputs.__provider);
  });

  test('serialization is stable from run to run, so unchanged code never shows as a change', async () => {
    const again = await runMockedProgram(PROGRAM);
    for (const name of ['release-watchers', 'agent-joins']) expect(byName(again, name).inputs.__provider).toBe(byName(run, name).inputs.__provider);
  });
});

/**
 * `--state FILE`: users' groups, REST grants and hub settings survive a restart of the emulator, connections and
 * what only they held do not; a file that is not the emulator's refuses the start; a kill -9 at any moment leaves
 * a file that loads (a real child process, killed while it writes); a burst of changes is written once.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { GrantLog } from '../../emulator/state/grantLog.js';
import { readStateFile, StateFile, type SavedState } from '../../emulator/state/stateFile.js';
import { MemoryStore } from '../../emulator/state/store.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { connectJson, type TestSocket } from '../helpers/sockets.js';
import { until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';

const CLI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../emulator/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'wps-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const started: Emulator[] = [];
const sockets: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

async function emulatorWith(options: EmulatorOptions): Promise<Emulator> {
  const emulator = await startEmulator({ port: 0, ...options });
  started.push(emulator);
  return emulator;
}

/** A JSON client of `hub` on `connectionString`, as `userId` (anonymous without). */
async function connect(connectionString: string, hub: string, userId?: string): Promise<{ client: WebPubSubServiceClient; connectionId: string }> {
  const client = new WebPubSubServiceClient(connectionString, hub, { logLevel: 'off', retry: { maxRetries: 0 } });
  const { socket, connected } = await connectJson((await client.getClientAccessToken({ userId })).url, 'json.webpubsub.azure.v1');
  sockets.push(socket);
  return { client, connectionId: connected.connectionId as string };
}

const saved = (path: string): SavedState => readStateFile(path)!;

describe('what survives a restart', () => {
  test("a user's groups and REST grants come back on their first connection; anonymous memberships and other connections do not", async () => {
    const state = join(dir, `${uniqueName('restart')}.json`);
    const hub = uniqueName('hub');
    const first = await emulatorWith({ state });
    const alice = await connect(first.connectionString, hub, 'alice');
    const anonymous = await connect(first.connectionString, hub);
    const rest = alice.client;
    await rest.addUserToGroup('builds', 'alice');
    await rest.addConnectionToGroup('anon-only', anonymous.connectionId);
    await rest.grantPermission(alice.connectionId, 'sendToGroup', { targetName: 'releases' });
    await first.close();
    expect(saved(state).hubs).toEqual({ [hub]: { alice: { groups: ['builds'], grants: [{ op: 'grant', permission: 'sendToGroup', target: 'releases' }] } } });

    const second = await emulatorWith({ state });
    const client = new WebPubSubServiceClient(second.connectionString, hub, { logLevel: 'off', retry: { maxRetries: 0 } });
    expect(await client.groupExists('builds')).toBe(false); // nobody is connected yet
    const back = await connect(second.connectionString, hub, 'alice');
    expect(await client.groupExists('builds')).toBe(true);
    expect(await client.groupExists('anon-only')).toBe(false);
    expect(await client.checkPermission(back.connectionId, 'sendToGroup', { targetName: 'releases' })).toBe(true);
    expect(await client.checkPermission(back.connectionId, 'sendToGroup', { targetName: 'other' })).toBe(false);
    const again = await connect(second.connectionString, hub, 'alice');
    expect(second.connections(hub).find((c) => c.connectionId === again.connectionId)!.groups).toEqual([]);
    expect(second.connections(hub).find((c) => c.connectionId === back.connectionId)!.groups).toEqual(['builds']);
    await Promise.all([rest.close(), client.close(), back.client.close(), again.client.close(), anonymous.client.close()]);
  });

  test("a client's own joinGroup is written while the emulator runs, wherever the frame names its type", async () => {
    const state = join(dir, `${uniqueName('join')}.json`);
    const hub = uniqueName('hub');
    const emulator = await emulatorWith({ state });
    const client = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off', retry: { maxRetries: 0 } });
    const url = (await client.getClientAccessToken({ userId: 'carol', roles: ['webpubsub.joinLeaveGroup'] })).url;
    const { socket } = await connectJson(url, 'json.webpubsub.azure.v1');
    sockets.push(socket);
    // The connection's own write first, so that the join cannot ride on it.
    await until(() => readStateFile(state) !== undefined, 'the write after the connection');
    // `type` after the first 64 bytes of the frame: the protocol does not order a frame's keys.
    const group = `builds-${'x'.repeat(64)}`;
    socket.send({ group, ackId: 1, type: 'joinGroup' });
    expect(await socket.jsonWhere((frame) => frame.type === 'ack')).toMatchObject({ ackId: 1, success: true });
    await until(() => readStateFile(state)?.hubs[hub]?.carol?.groups.includes(group) === true, 'the join written to the state file');
    await client.close();
  });

  test('a user who has not come back yet is kept through the next restart; hub settings are kept when the restart gives none', async () => {
    const state = join(dir, `${uniqueName('pending')}.json`);
    const hub = uniqueName('hub');
    // Settings of another hub, so that bob's connection calls no handler.
    const hubs = { [uniqueName('handled')]: { eventHandlers: [{ urlTemplate: 'http://127.0.0.1:9/{event}', systemEvents: ['connected' as const] }] } };
    const first = await emulatorWith({ state, hubs });
    const bob = await connect(first.connectionString, hub, 'bob');
    await bob.client.addUserToGroup('ops', 'bob');
    await first.close();
    const second = await emulatorWith({ state, ui: true });
    await second.close();
    expect(saved(state).hubs).toEqual({ [hub]: { bob: { groups: ['ops'], grants: [] } } });
    expect(saved(state).hubSettings).toEqual(hubs);
    const third = await emulatorWith({ state, ui: true });
    const snapshot = (await (await fetch(`${third.endpoint}/_emulator/live/state`)).json()) as { hubs: { name: string; eventHandlers: unknown[] }[] };
    expect(snapshot.hubs).toContainEqual(
      expect.objectContaining({
        name: Object.keys(hubs)[0],
        eventHandlers: [{ url: 'http://127.0.0.1:9/{event}', userEvents: '', systemEvents: ['connected'] }],
      }),
    );
    await bob.client.close();
  });
});

describe('a state file that is not one', () => {
  test.each([
    ['not JSON', '{"format": "webpubsub-emulator-state", "vers', /state-\w+\.json is corrupt: not JSON/],
    ['another program’s JSON', '{"name": "my-app", "version": "1.0.0"}', /is not an emulator state file \(no "format": "webpubsub-emulator-state"\)/],
    ['a newer version', '{"format": "webpubsub-emulator-state", "version": 2, "hubs": {}}', /has version 2; this emulator reads version 1/],
    [
      'a user without groups',
      '{"format": "webpubsub-emulator-state", "version": 1, "hubs": {"chat": {"alice": {}}}}',
      /is corrupt: hubs\.chat\.alice needs groups and grants/,
    ],
    [
      'a bad grant',
      '{"format": "webpubsub-emulator-state", "version": 1, "hubs": {"chat": {"a": {"groups": [], "grants": [{"op": "give"}]}}}}',
      /grants must be/,
    ],
  ])('%s: startEmulator refuses, naming the option and the file', async (_, content, message) => {
    const state = join(dir, `state-${uniqueName('bad')}.json`);
    writeFileSync(state, content);
    expect(() => startEmulator({ port: 0, state })).toThrow(message);
    expect(() => startEmulator({ port: 0, state })).toThrow(`options.state ${state}`);
    expect(readFileSync(state, 'utf8')).toBe(content);
  });

  test('a file in a folder that does not exist is refused at start, not at the first write', () => {
    const state = join(dir, 'missing', 'state.json');
    expect(() => startEmulator({ port: 0, state })).toThrow(`options.state ${state} cannot be written: the folder ${join(dir, 'missing')} does not exist`);
  });

  test('the CLI exits 2 with the file named and prints no connection string', async () => {
    const state = join(dir, `state-${uniqueName('cli')}.json`);
    writeFileSync(state, 'garbage');
    const child = spawn(process.execPath, [CLI, '--port', '0', '--state', state], { stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(`--state ${state} is corrupt: not JSON`);
    expect(stderr).not.toContain('Usage:');
    expect(stdout).toBe('');
  });
});

describe('crash safety', () => {
  /** The CLI with `--state`, once it printed its connection string. */
  async function startCli(state: string): Promise<{ child: ChildProcessWithoutNullStreams; connectionString: string }> {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--no-ui', '--state', state]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const connectionString = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}: ${stderr}`)));
    });
    return { child, connectionString };
  }

  test('kill -9 while the emulator writes leaves a state file that loads, holding a consistent prefix of the changes', async () => {
    const state = join(dir, `${uniqueName('kill')}.json`);
    const hub = uniqueName('hub');
    // Long names make each write large, so the kill is likely to land in the middle of one.
    const group = (round: number, i: number) => `round${round}-${String(i).padStart(4, '0')}-${'x'.repeat(400)}`;
    let before: string[] = [];
    for (let round = 0; round < 3; round++) {
      const { child, connectionString } = await startCli(state);
      const user = await connect(connectionString, hub, 'u');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let i = 0;
      // Sequential adds, so that every state the file can hold is: the earlier rounds, and this round's first k.
      const adding = (async () => {
        for (; ; i++) await user.client.addUserToGroup(group(round, i), 'u');
      })().catch(() => undefined);
      // Once this round's writes have begun (a reader polling the file sees only whole ones), the kill lands a little
      // later each round: between writes or in the middle of one.
      const ofRound = () => (readStateFile(state)?.hubs[hub]?.u?.groups ?? []).filter((name) => name.startsWith(`round${round}-`));
      await until(() => ofRound().length > 0, `round ${round}'s first write`);
      await new Promise((resolve) => setTimeout(resolve, 40 + round * 37));
      child.kill('SIGKILL');
      await exited;
      await adding;
      await user.client.close();
      const groups = saved(state).hubs[hub]?.u?.groups ?? [];
      const thisRound = groups.filter((name) => name.startsWith(`round${round}-`));
      expect(thisRound.length).toBeGreaterThan(0);
      expect(thisRound).toEqual(Array.from({ length: thisRound.length }, (_, k) => group(round, k)));
      // The earlier rounds' groups came back with u's first connection and were written again with this round's.
      expect(groups.filter((name) => !name.startsWith(`round${round}-`))).toEqual(before);
      before = groups;
      expect(i).toBeGreaterThan(0);
    }
    const { child, connectionString } = await startCli(state);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const expected = saved(state).hubs[hub]!.u!.groups;
    const user = await connect(connectionString, hub, 'u');
    expect(await user.client.groupExists(expected.at(-1)!)).toBe(true);
    await user.client.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(saved(state).hubs[hub]!.u!.groups.sort()).toEqual([...expected].sort());
    // What a kill left half written was a temporary file, removed when the next emulator opened the state.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('coalesced writes', () => {
  test('a burst of changes is one write; a failed write is reported, not thrown', async () => {
    const state = join(dir, `${uniqueName('burst')}.json`);
    const errors: unknown[] = [];
    const file = new StateFile(state, undefined, {
      store: new MemoryStore(),
      grants: new GrantLog(),
      hubSettings: undefined,
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 1000; i++) file.changed();
    await file.close();
    expect(file.writes).toBe(1);
    expect(saved(state)).toMatchObject({ format: 'webpubsub-emulator-state', version: 1, hubs: {} });

    const unwritable = new StateFile(join(dir, 'missing', 'state.json'), undefined, {
      store: new MemoryStore(),
      grants: new GrantLog(),
      hubSettings: undefined,
      onError: (error) => errors.push(error),
    });
    unwritable.changed();
    await unwritable.close();
    expect(errors).toEqual([expect.objectContaining({ code: 'ENOENT' })]);
  });
});

/**
 * Operation close through the bundled Action: the sockets really close (the official client sees `disconnected`
 * with the reason), excluded connections stay, and a group closed in waves closes in the declared batches.
 */
import { expect, test } from '@jest/globals';
import type { ConnectionInfo } from '../../emulator/index.js';
import { runAction, type ActionRun } from '../../scripts/harness/actionRunner.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { useSubscribedHubs } from './subscribers.js';

const scope = useEmulator();
const newHub = useSubscribedHubs(() => scope.emulator);

function setUp() {
  const { subscribers, inputs } = newHub();
  return { subscribers, inputs: { ...inputs, operation: 'close' } };
}

/** Clients that stay closed once the service closes them (no reconnect, no recovery). */
const once = { autoReconnect: false } as const;

function expectClosed(run: ActionRun) {
  expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
  expect(run.outputs).toMatchObject({ ok: 'true', status: '204' });
}

test.each([
  ['hub', {}],
  ['group', { target: 'group', group: 'blue' }],
  ['user', { target: 'user', 'user-id': 'u1' }],
])('closing the %s disconnects its clients with the reason, and keeps the excluded one', async (_what, target) => {
  const { inputs, subscribers } = setUp();
  const leaving = await subscribers.connect({ userId: 'u1', groups: ['blue'] }, once);
  const staying = await subscribers.connect({ userId: 'u1', groups: ['blue'] }, once);
  const run = await runAction({ inputs: { ...inputs, ...target, reason: 'rollout v1.4.2: please reconnect', excluded: staying.connectionId } });
  expectClosed(run);
  expect(await leaving.disconnected.next()).toMatchObject({
    connectionId: leaving.connectionId,
    message: { message: 'Application server closed the connection. Reason: rollout v1.4.2: please reconnect' },
  });
  expect(scope.emulator.connections(inputs.hub).map((c) => c.connectionId)).toEqual([staying.connectionId]);
});

test('closing one connection closes that one only', async () => {
  const { inputs, subscribers } = setUp();
  const target = await subscribers.connect({}, once);
  const other = await subscribers.connect({}, once);
  expectClosed(await runAction({ inputs: { ...inputs, target: 'connection', 'connection-id': target.connectionId } }));
  await target.disconnected.next();
  expect(scope.emulator.connections(inputs.hub).map((c) => c.connectionId)).toEqual([other.connectionId]);
});

test('a group closes in waves: batch-size at a time, the rest still connected while the interval runs', async () => {
  const { inputs, subscribers } = setUp();
  const members = [];
  for (let i = 0; i < 5; i++) members.push(await subscribers.connect({ groups: ['canary'] }, once));
  const outsider = await subscribers.connect({}, once);
  // Each disconnection records how many group members were still connected right after it.
  const remaining: number[] = [];
  const onDisconnected = (info: ConnectionInfo) => {
    if (info.hub === inputs.hub) remaining.push(scope.emulator.connections(inputs.hub).filter((c) => c.groups.includes('canary')).length);
  };
  scope.emulator.on('disconnected', onDisconnected);
  try {
    const run = await runAction({
      inputs: { ...inputs, target: 'group', group: 'canary', 'batch-size': '2', 'batch-interval-seconds': '1', reason: 'rollout' },
    });
    expectClosed(run);
    expect(run.outputs).toMatchObject({ closed: '5', attempts: '6' });
    expect(run.stdout).toContain('Closing 5 connection(s) in 3 wave(s) of up to 2, 1 s apart');
    expect(run.stdout.match(/^Wave \d\/3: closed \d connection\(s\)$/gm)).toEqual([
      'Wave 1/3: closed 2 connection(s)',
      'Wave 2/3: closed 2 connection(s)',
      'Wave 3/3: closed 1 connection(s)',
    ]);
    // Within a wave the closes run together; a wave never starts before the interval: after the 2nd and the 4th
    // disconnection exactly 3 and 1 members were still connected.
    expect([remaining[1], remaining[3]]).toEqual([3, 1]);
    expect(remaining).toHaveLength(5);
    for (const member of members) await member.disconnected.next();
    expect(scope.emulator.connections(inputs.hub).map((c) => c.connectionId)).toEqual([outsider.connectionId]);
    expect(run.summary).toContain('<th>Closed</th>');
  } finally {
    scope.emulator.off('disconnected', onDisconnected);
  }
});

test('waves over an empty group close nothing and succeed', async () => {
  const { inputs } = setUp();
  const run = await runAction({ inputs: { ...inputs, target: 'group', group: 'nobody', 'batch-size': '10' } });
  expect(run.code).toBe(0);
  expect(run.outputs).toMatchObject({ ok: 'true', closed: '0', attempts: '1' });
});

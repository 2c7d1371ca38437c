/**
 * The Pulumi lifecycle under the same drill as the Action (30% of REST requests faulted: 429 with Retry-After: 0,
 * 503, resets, latency), through Pulumi's real provider host over gRPC: create, refresh, update and delete of a
 * WebPubSubGroupMembership, and create, refresh, replace and delete of a WebPubSubPermissionGrant. The provider
 * makes two attempts per request here, so steps do fail. After every step the emulator holds exactly what was
 * declared; when a step fails, it failed cleanly (the group or grant is as it was before the step), or the
 * provider said it could not undo and handed the engine a partial state to record; either way, the step tried
 * again as the engine would (a create recorded partly done becomes an update) converges exactly.
 *
 * Determinism: the provider's requests for these few members go one at a time, and each round draws its faults
 * from its own seed, so every round takes the same path on every run.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { FaultOptions } from '../../emulator/index.js';
import { seeded } from '../helpers/faultDrill.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { groupConnectionIds } from '../helpers/groupProbe.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost, type ProviderError, type ProviderHost, type SerializedProviders } from '../helpers/providerHost.js';

const ROUNDS = 8;
/** Tries of one step before the test gives up (the engine's user would run `pulumi up` again). */
const MAX_TRIES = 10;
const DRILL: Omit<FaultOptions, 'random'> = { rate: 0.3, retryAfterSeconds: 0, latencyMs: 5 };

/** REST requests the emulator answered while a drill was on. */
let drilled = 0;
let drilling = false;
const scope = useEmulator({ logger: (line) => void (drilling && /^[A-Z]+ \/api\//.test(line) && drilled++) });
// Two attempts per request with a 1 ms backoff: faults get through to the provider, and a round takes milliseconds.
const pulumi = useProviderHost(() => ({
  'webpubsub:connectionString': scope.emulator.connectionString,
  'webpubsub:maxRetries': '1',
  'webpubsub:retryDelayMs': '1',
}));
let host: ProviderHost;
let providers: SerializedProviders;
beforeAll(() => {
  [host, providers] = [pulumi.host, pulumi.providers];
});
afterEach(() => scope.emulator.setFaults(undefined));

/** How each step ended, over all rounds: `converged`, `failed, undone`, `failed, recorded partly done`. */
const outcomes = new Map<string, number>();
const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
let faultsInjected = 0;

/**
 * Runs one step with the round's faults on until it succeeds, the way a user runs `pulumi up` again. Faults are
 * off between tries, so the checks read the emulator undisturbed.
 * @param attempt - one try; gets the init failure of the previous try, when the provider reported one
 * @param unchanged - checks that a failed try left things as they were (not called after an init failure, whose
 *   error says the state is partial)
 */
async function untilDone<T>(
  random: () => number,
  attempt: (recorded: ProviderError['initFailure']) => Promise<T>,
  unchanged: () => Promise<void> | void,
): Promise<T> {
  let recorded: ProviderError['initFailure'];
  for (let tries = 1; tries <= MAX_TRIES; tries++) {
    scope.emulator.setFaults({ ...DRILL, random });
    drilling = true;
    const outcome = await attempt(recorded).then(
      (result) => ({ result }),
      (error: unknown) => ({ failure: error as ProviderError }),
    );
    faultsInjected += scope.emulator.faultsInjected;
    scope.emulator.setFaults(undefined);
    drilling = false;
    if ('result' in outcome) {
      count(tries === 1 ? 'converged at once' : 'converged on a later try');
      return outcome.result;
    }
    if (outcome.failure.initFailure) {
      count('failed, recorded partly done');
      recorded = outcome.failure.initFailure;
    } else {
      count('failed, undone');
      await unchanged();
    }
  }
  throw new Error(`the step did not converge in ${MAX_TRIES} tries`);
}

/** A hub with users u1..u5 connected (u2 twice), an anonymous connection, and u9 who never connects. */
async function connectUsers(fixture: HubFixture) {
  const connections = new Map<string, string[]>();
  for (const user of ['u1', 'u2', 'u2', 'u3', 'u4', 'u5', undefined]) {
    const { connectionId } = await fixture.connect(user === undefined ? {} : { userId: user });
    const key = user ?? 'anonymous';
    connections.set(key, [...(connections.get(key) ?? []), connectionId]);
  }
  /** The connection ids of users and of the anonymous connection, sorted. */
  return (...keys: string[]) => keys.flatMap((key) => connections.get(key) ?? []).sort();
}

describe('the Pulumi lifecycle under 30% faults converges exactly', () => {
  test.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))('membership, round %i', async (round) => {
    const random = seeded(round * 7919);
    const fixture = scope.fixture();
    const { hub } = fixture;
    const group = uniqueName('group');
    const of = await connectUsers(fixture);
    const anonymous = of('anonymous')[0]!;
    const members = () => groupConnectionIds(scope.emulator, hub, group);
    const urn = urnOf('GroupMembership', uniqueName('membership'));
    const provider = providers.membership;
    const declare = async (userIds: string[], connectionIds: string[]) => {
      const { inputs, failures } = await host.check(urn, {}, { hub, group, userIds, connectionIds, __provider: provider });
      expect(failures).toEqual([]);
      return inputs;
    };

    // Create: u1, u2 (two connections), u3, the anonymous connection; u9 has none and is pending.
    const first = await declare(['u1', 'u2', 'u3', 'u9'], [anonymous]);
    const created = await untilDone(
      random,
      async (recorded) =>
        recorded ? { id: recorded.id, properties: await host.update(recorded.id, urn, recorded.properties, first) } : host.create(urn, first),
      () => expect(members()).toEqual([]),
    );
    expect(members()).toEqual(of('u1', 'u2', 'u3', 'anonymous'));
    expect(created.properties).toMatchObject({ userIds: ['u1', 'u2', 'u3'], pendingUserIds: ['u9'], connectionIds: [anonymous] });

    // Refresh: the same outputs; nothing changes.
    const refreshed = await untilDone(
      random,
      () => host.read(created.id, urn, { properties: created.properties }),
      () => undefined,
    );
    expect(refreshed.properties).toEqual(created.properties);
    expect(members()).toEqual(of('u1', 'u2', 'u3', 'anonymous'));

    // Update: u1 and the anonymous connection leave, u4 and u5 join.
    const second = await declare(['u2', 'u3', 'u4', 'u5'], []);
    let olds = refreshed.properties;
    const updated = await untilDone(
      random,
      (recorded) => host.update(created.id, urn, recorded?.properties ?? olds, second),
      () => expect(members()).toEqual(of('u1', 'u2', 'u3', 'anonymous')),
    );
    expect(members()).toEqual(of('u2', 'u3', 'u4', 'u5'));
    expect(updated).toMatchObject({ userIds: ['u2', 'u3', 'u4', 'u5'], pendingUserIds: [], connectionIds: [] });
    olds = updated;

    // Delete: a failed delete may have removed some members and added none; tried again, the group is empty.
    const before = members();
    await untilDone(
      random,
      () => host.delete(created.id, urn, olds),
      () => expect(before).toEqual(expect.arrayContaining(members())),
    );
    expect(members()).toEqual([]);
  });

  test.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))('grant, round %i', async (round) => {
    const random = seeded(round * 104_729);
    const fixture = scope.fixture();
    const { hub, client } = fixture;
    const { connectionId } = await fixture.connect({ userId: 'agent' });
    const granted = (targetName: string) => client.checkPermission(connectionId, 'sendToGroup', { targetName });
    const grant = async (targetName: string) => {
      const urn = urnOf('PermissionGrant', uniqueName('grant'));
      const { inputs, failures } = await host.check(urn, {}, { hub, connectionId, permission: 'sendToGroup', targetName, __provider: providers.grant });
      expect(failures).toEqual([]);
      return { urn, inputs };
    };

    // Create: a grant that could not be made leaves nothing granted.
    const ops = await grant('ops');
    const created = await untilDone(
      random,
      () => host.create(ops.urn, ops.inputs),
      async () => expect(await granted('ops')).toBe(false),
    );
    expect([await granted('ops'), await granted('alerts')]).toEqual([true, false]);

    // Refresh: the grant is there.
    const refreshed = await untilDone(
      random,
      () => host.read(created.id, ops.urn, { properties: created.properties }),
      () => undefined,
    );
    expect(refreshed).toMatchObject({ id: created.id, properties: created.properties });

    // Replace (targetName ops → alerts): the engine deletes the old grant first, then creates the new one.
    await untilDone(
      random,
      () => host.delete(created.id, ops.urn, created.properties),
      async () => expect(await granted('ops')).toBe(true),
    );
    expect(await granted('ops')).toBe(false);
    const alerts = await grant('alerts');
    const replaced = await untilDone(
      random,
      () => host.create(alerts.urn, alerts.inputs),
      async () => expect(await granted('alerts')).toBe(false),
    );
    expect([await granted('ops'), await granted('alerts')]).toEqual([false, true]);

    // Delete.
    await untilDone(
      random,
      () => host.delete(replaced.id, alerts.urn, replaced.properties),
      async () => expect(await granted('alerts')).toBe(true),
    );
    expect([await granted('ops'), await granted('alerts')]).toEqual([false, false]);
  });

  test('the drill struck: steps failed, and every one was tried again until it converged', () => {
    const tally = [...outcomes]
      .sort()
      .map(([outcome, n]) => `${outcome} ×${n}`)
      .join(', ');
    console.log(
      `Pulumi lifecycle under faults, ${ROUNDS} rounds each: ${tally}; ${drilled} requests, ${faultsInjected} faulted (${((100 * faultsInjected) / drilled).toFixed(1)}%)`,
    );
    const failed = [...outcomes].filter(([outcome]) => outcome.startsWith('failed')).reduce((sum, [, n]) => sum + n, 0);
    expect(failed).toBeGreaterThan(0);
    expect(faultsInjected).toBeGreaterThan(failed);
  });
});

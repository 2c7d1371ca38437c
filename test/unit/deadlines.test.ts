/**
 * The transport's attempt timeouts (shared/deadlines.ts): one timer for many entries, each expiring at its own
 * deadline, none after it has left, and none keeping an idle process alive.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { type DeadlineEntry, Deadlines } from '../../shared/deadlines.js';

type Entry = DeadlineEntry & { name: string };
const entry = (name: string): Entry => ({ name, deadlinePrevious: undefined, deadlineNext: undefined, deadlineAdded: Number.NaN });

/** Records each expiry with the milliseconds since `start`. */
function recorder() {
  const start = performance.now();
  const expired: { entry: string; at: number; ms: number }[] = [];
  const since = () => performance.now() - start;
  return { expired, since, expire: (expiring: Entry, ms: number) => expired.push({ entry: expiring.name, at: since(), ms }) };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

// Only lower bounds on time: a busy machine may fire a timer late, never early.
describe('Deadlines', () => {
  test('entries added over time each expire at their own deadline, in order, with the duration', async () => {
    const { expired, since, expire } = recorder();
    const deadlines = new Deadlines<Entry>(80, expire);
    deadlines.add(entry('a'));
    await sleep(40);
    const bAdded = since();
    deadlines.add(entry('b'));
    await until(() => expired.length === 2);
    expect(expired.map((e) => e.entry)).toEqual(['a', 'b']);
    expect(expired.every((e) => e.ms === 80)).toBe(true);
    expect(expired[0]!.at).toBeGreaterThanOrEqual(79);
    // Not with a, at the timer a armed: b's own deadline.
    expect(expired[1]!.at).toBeGreaterThanOrEqual(bAdded + 79);
  });

  test('an entry that leaves before its deadline never expires; the others still do', async () => {
    const { expired, expire } = recorder();
    const deadlines = new Deadlines<Entry>(50, expire);
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(entry) as [Entry, Entry, Entry, Entry, Entry];
    for (const added of [a, b, c, d, e]) deadlines.add(added);
    // The oldest, one in the middle and the newest; deleting twice changes nothing.
    for (const leaving of [a, c, e, c]) deadlines.delete(leaving);
    await until(() => expired.length === 2);
    await sleep(60);
    expect(expired.map((expiredEntry) => expiredEntry.entry)).toEqual(['b', 'd']);
  });

  test('the timer sleeps once nothing is left, and wakes again for a later entry', async () => {
    const { expired, since, expire } = recorder();
    const deadlines = new Deadlines<Entry>(30, expire);
    deadlines.add(entry('a'));
    await until(() => expired.length === 1);
    await sleep(50);
    const bAdded = since();
    deadlines.add(entry('b'));
    await until(() => expired.length === 2);
    expect(expired[1]).toMatchObject({ entry: 'b', ms: 30 });
    expect(expired[1]!.at).toBeGreaterThanOrEqual(bAdded + 29);
  });

  test('a pending deadline does not keep the process alive: an idle client exits at once', () => {
    const module = fileURLToPath(new URL('../../shared/deadlines.js', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(({ Deadlines }) => { const d = new Deadlines(60000, () => {}); const e = () => ({ deadlineAdded: NaN }); const first = e(); d.add(first); d.delete(first); d.add(e()); })`;
    // A timer that held the process would keep it for 60 s, past the 20 s after which spawnSync kills it.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run).toMatchObject({ status: 0, signal: null, stderr: '' });
  });
});

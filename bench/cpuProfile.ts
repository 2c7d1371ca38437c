/**
 * Where one operation's time goes, from V8's sampling profiler in the process that runs it: microseconds per
 * operation by who was on the CPU (our client, undici, Node's own JavaScript, the garbage collector, V8 and libuv
 * outside JavaScript, the rest: the bench's own loop) or that nobody was (idle: waiting for the peer and the kernel).
 */
import { Session } from 'node:inspector/promises';

export const CPU_CATEGORIES = ['webpubsub-action', 'undici', 'node', 'gc', 'native', 'other', 'idle'] as const;
export type CpuCategory = (typeof CPU_CATEGORIES)[number];
export type CpuBreakdown = Record<CpuCategory, number>;

export const zeroBreakdown = (): CpuBreakdown => Object.fromEntries(CPU_CATEGORIES.map((name) => [name, 0])) as CpuBreakdown;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

function categoryOf({ functionName, url }: ProfileNode['callFrame']): CpuCategory {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/build/shared/')) return 'webpubsub-action';
  if (url.startsWith('node:')) return 'node';
  if (url === '') return 'native';
  return 'other';
}

/** Runs `run` `operations` times, one at a time, under the profiler (sampling every 50 µs). */
export async function cpuBreakdown(run: () => Promise<unknown>, operations: number): Promise<CpuBreakdown> {
  for (let i = 0; i < operations / 10; i++) await run();
  globalThis.gc?.();
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    for (let i = 0; i < operations; i++) await run();
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    const category = new Map(profile.nodes.map((node) => [node.id, categoryOf(node.callFrame)]));
    const micros = zeroBreakdown();
    // A sample's time is the gap to the next sample (as Chrome's DevTools counts it).
    for (let i = 0; i < profile.samples.length - 1; i++) micros[category.get(profile.samples[i]!)!] += profile.timeDeltas[i + 1]!;
    for (const name of CPU_CATEGORIES) micros[name] /= operations;
    return micros;
  } finally {
    session.disconnect();
  }
}

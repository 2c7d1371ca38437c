/** Throughput measurement shared by the benches: closed-loop workers, interleaved rounds, medians. */
import { progress } from './targets.js';

export interface Contender {
  name: string;
  /** Operations per second at `concurrency` over `durationMs` (`throughput` of one operation, here or elsewhere). */
  rate: (concurrency: number, durationMs: number) => Promise<number>;
}

/** Operations per second of `run` with `concurrency` workers over `durationMs`, after a GC and a short warm-up. */
export async function throughput(run: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<number> {
  globalThis.gc?.();
  for (let i = 0; i < 50; i++) await run();
  let done = 0;
  const stopAt = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        await run();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** Ops/s samples by contender, then concurrency: one sample per round. */
export type Samples = Map<string, Map<number, number[]>>;

/**
 * Measures each contender at each concurrency in `rounds` interleaved rounds, so that drift on a noisy machine
 * hits every contender alike.
 */
export async function compare(
  contenders: readonly Contender[],
  concurrencies: readonly number[],
  { rounds = 7, durationMs = 800, label = 'measuring' } = {},
): Promise<Samples> {
  const samples: Samples = new Map(contenders.map((c) => [c.name, new Map(concurrencies.map((n) => [n, [] as number[]]))]));
  // A discarded round first: JIT compilation and opening sockets must not count against whoever goes first.
  progress(`${label}: warming up`);
  for (const concurrency of concurrencies) for (const contender of contenders) await contender.rate(concurrency, durationMs / 2);
  for (let round = 0; round < rounds; round++) {
    progress(`${label}: round ${round + 1} of ${rounds}`);
    for (const concurrency of concurrencies) {
      // Rotate the order each round so no contender always follows the same one (and inherits its garbage).
      for (let i = 0; i < contenders.length; i++) {
        const contender = contenders[(i + round) % contenders.length];
        samples
          .get(contender.name)!
          .get(concurrency)!
          .push(await contender.rate(concurrency, durationMs));
      }
    }
  }
  return samples;
}

/**
 * The median over rounds of `a / b`, each ratio taken within one round: samples measured seconds apart share the
 * machine's state, which makes this far steadier than a ratio of medians on a shared machine.
 */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, round) => value / b[round]));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The p-th percentile (nearest rank); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

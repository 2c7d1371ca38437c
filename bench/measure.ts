/** Throughput measurement shared by the benches: closed-loop workers, interleaved rounds, medians. */

export interface Contender {
  name: string;
  /** One operation; the bench awaits it. */
  run: () => Promise<unknown>;
}

/** Operations per second of `run` with `concurrency` workers over `durationMs`, after a short warm-up. */
export async function throughput(run: () => Promise<unknown>, concurrency: number, durationMs: number): Promise<number> {
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

/**
 * Measures each contender at each concurrency in `rounds` interleaved rounds, so that drift on a noisy machine
 * hits every contender alike, and returns the median ops/s by contender and concurrency.
 */
export async function compare(
  contenders: readonly Contender[],
  concurrencies: readonly number[],
  { rounds = 3, durationMs = 1500 } = {},
): Promise<Map<string, Map<number, number>>> {
  const samples = new Map(contenders.map((c) => [c.name, new Map(concurrencies.map((n) => [n, [] as number[]]))]));
  for (let round = 0; round < rounds; round++) {
    for (const concurrency of concurrencies) {
      for (const contender of contenders) {
        samples.get(contender.name)!.get(concurrency)!.push(await throughput(contender.run, concurrency, durationMs));
      }
    }
  }
  return new Map(
    [...samples].map(([name, byConcurrency]) => [name, new Map([...byConcurrency].map(([n, values]) => [n, median(values)]))]),
  );
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Every ratio a run measures, the targets among them, progress while it measures, and how a run ends: one table of
 * every ratio, then a one-line verdict. A missed target is marked where it is printed, in the table and in the
 * verdict; the run then exits 1.
 */

/** The bound a target ratio must meet. */
export type Bound = { atLeast: number } | { atMost: number };

/** Every target of the bench (issue 17), in one place; each section checks its own. */
export const TARGETS = {
  /** Our client's sendToAll against undici's documented `pool.request()`, at c=1 and c=32. */
  clientVsRequest: { atLeast: 1.0 },
  /** Our client against undici's bare handler API at c=1. */
  clientVsFloorAtC1: { atLeast: 0.9 },
  /** The emulator's broadcast against a bare `ws` loop, at 1,000 and 10,000 clients. */
  emulatorVsWs: { atLeast: 1.0 },
  /** The emulator's memory per idle connection against bare `ws`. */
  emulatorMemoryVsWs: { atMost: 1.3 },
  /** The Pulumi converge (create + 10% update) of 1,000 members against a sequential SDK loop. */
  pulumiConverge: { atLeast: 30 },
  /** The Pulumi 10% update alone against the SDK loop. */
  pulumiUpdate: { atLeast: 10 },
  /** The Action step against a bare Node 24 fetch. */
  actionVsFetch: { atMost: 1.1 },
  /** The CLI's send, from an installed package, against a bare `node` fetch. */
  cliVsFetch: { atMost: 1.2 },
} satisfies Record<string, Bound>;

export interface Ratio {
  what: string;
  ratio: number;
  /** Absent for a ratio reported for information (against the floor, against the official SDK). */
  bound?: Bound;
  met?: boolean;
}

const ratios: Ratio[] = [];

const limitText = (bound: Bound) => ('atLeast' in bound ? `>= ${bound.atLeast}x` : `<= ${bound.atMost}x`);

/** Records a target and returns its result as printed: `1.13x (target >= 0.85x) ok`, or MISSED in capitals. */
export function checkTarget(what: string, ratio: number, bound: Bound): string {
  const met = 'atLeast' in bound ? ratio >= bound.atLeast : ratio <= bound.atMost;
  ratios.push({ what, ratio, bound, met });
  return `${ratio.toFixed(2)}x (target ${limitText(bound)}) ${met ? 'ok' : '<<< MISSED'}`;
}

/** Records a ratio that has no target, for the closing table. */
export function noteRatio(what: string, ratio: number): void {
  ratios.push({ what, ratio });
}

/** One line on stderr saying what is being measured, so a run of minutes is never silent. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** Every ratio recorded so far, for `--json`. */
export function allRatios(): readonly Ratio[] {
  return ratios;
}

/** Every ratio of the run in one table. */
export function summary(): string {
  const rows = ratios.map(
    ({ what, ratio, bound, met }) =>
      `| ${what} | ${ratio.toFixed(2)}x | ${bound ? limitText(bound) : ''} | ${met === undefined ? '' : met ? 'ok' : '**MISSED**'} |`,
  );
  return ['Every ratio of this run', '| ratio | measured | target | |', '|---|---:|---:|---|', ...rows].join('\n');
}

/** The last line of a run; sets the exit code to 1 when a target was missed. */
export function verdict(): string {
  const targets = ratios.filter((ratio) => ratio.bound);
  const missed = targets.filter((target) => !target.met);
  if (missed.length > 0) process.exitCode = 1;
  return missed.length === 0
    ? `verdict: all ${targets.length} targets met`
    : `verdict: ${missed.length} of ${targets.length} targets MISSED: ${missed.map((t) => `${t.what} ${t.ratio.toFixed(2)}x`).join('; ')}`;
}

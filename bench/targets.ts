/**
 * The targets the bench checks, progress while it measures, and the one-line verdict that ends a run. A missed
 * target is marked where it is printed and named again in the verdict; the run then exits 1.
 */

/** A ratio and the bound it must meet. */
export interface Target {
  what: string;
  ratio: number;
  bound: { atLeast: number } | { atMost: number };
}

const checked: (Target & { met: boolean })[] = [];

/** Records a target and returns its result as printed: `1.13x (target >= 0.85) ok`, or MISSED in capitals. */
export function checkTarget(what: string, ratio: number, bound: Target['bound']): string {
  const met = 'atLeast' in bound ? ratio >= bound.atLeast : ratio <= bound.atMost;
  checked.push({ what, ratio, bound, met });
  const limit = 'atLeast' in bound ? `>= ${bound.atLeast}` : `<= ${bound.atMost}`;
  return `${ratio.toFixed(2)}x (target ${limit}x) ${met ? 'ok' : '<<< MISSED'}`;
}

/** One line on stderr saying what is being measured, so a run of minutes is never silent. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** The last line of a run; sets the exit code to 1 when a target was missed. */
export function verdict(): string {
  const missed = checked.filter((target) => !target.met);
  if (missed.length > 0) process.exitCode = 1;
  return missed.length === 0
    ? `verdict: all ${checked.length} targets met`
    : `verdict: ${missed.length} of ${checked.length} targets MISSED: ${missed.map((t) => `${t.what} ${t.ratio.toFixed(2)}x`).join('; ')}`;
}

/**
 * What fault drills share: a seeded source of numbers for the emulator's `faults.random`, so that a drill whose
 * requests arrive one at a time injects the same faults, in the same places, on every run.
 */

/** A seeded linear congruential generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

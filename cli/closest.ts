/** The known name nearest a misspelt one, for "did you mean" hints. */
import { editDistance } from '../action/editDistance.js';

/** The candidate within a few edits of `name` (edits or an adjacent swap each count one), nearest first; undefined when none is close. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(name) || name.startsWith(candidate) ? 1 : editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

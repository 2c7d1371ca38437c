/**
 * The Action's modules import each other one way only: no cycle among action/*.ts (config.ts and message.ts used to
 * import each other). A cycle makes the order modules initialise in matter, and the layers harder to read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { ROOT } from '../../scripts/harness/actionRunner.js';

/** Each module of action/ and the action/ modules it imports (type-only imports too: they are arrows as well). */
function importGraph(): Map<string, string[]> {
  const dir = join(ROOT, 'action');
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(dir, file), 'utf8');
    const targets = [...source.matchAll(/^(?:import|export)\b[^;]*?from '\.\/([\w.]+)\.js';/gms)].map((match) => `${match[1]}.ts`);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** A cycle as a path `a.ts → b.ts → a.ts`, or undefined. */
function findCycle(graph: Map<string, string[]>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node].join(' → ');
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

test('action/ has no import cycle', () => {
  const graph = importGraph();
  expect(graph.get('config.ts')).toContain('message.ts');
  expect(findCycle(graph)).toBeUndefined();
});

test('the check finds a cycle when there is one', () => {
  expect(
    findCycle(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
      ]),
    ),
  ).toBe('a.ts → b.ts → c.ts → a.ts');
});

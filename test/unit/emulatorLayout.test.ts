/**
 * The emulator's folders depend on each other one way only: a folder imports only folders below it in LAYERS, so
 * the REST half and the WebSocket half share state without knowing each other, and the server at the top wires
 * them together. A new folder fails here until it is given its place.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../emulator');

/** Lowest first. Folders on one line are peers: neither imports the other. '.' is the server itself. */
const LAYERS: readonly (readonly string[])[] = [['state'], ['common'], ['faults', 'upstream', 'liveView'], ['rest', 'websocket'], ['.']];
const rank = new Map(LAYERS.flatMap((folders, index) => folders.map((folder) => [folder, index] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The emulator folder a path is in: its first segment under emulator/, or '.' for a file at the top. */
function folderOf(path: string): string {
  const parts = relative(root, path).split(/[\\/]/);
  return parts.length === 1 ? '.' : parts[0]!;
}

test('every emulator folder has its place in the layers', () => {
  const folders = new Set(sources(root).map(folderOf));
  expect([...folders].filter((folder) => !rank.has(folder))).toEqual([]);
});

test('imports between emulator folders point down the layers only', () => {
  const upward: string[] = [];
  for (const file of sources(root)) {
    const from = folderOf(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), specifier!);
      if (relative(root, target).startsWith('..')) continue; // shared/, below every folder
      const to = folderOf(target);
      if (to !== from && !(rank.get(to)! < rank.get(from)!)) upward.push(`${relative(root, file)} -> ${relative(root, target)}`);
    }
  }
  expect(upward).toEqual([]);
});

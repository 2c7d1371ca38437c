/**
 * The browser module stays a browser module: it compiles without Node's types or the DOM library (only the
 * globals browserGlobals.ts names), and its ES module build, the files a page loads, imports nothing but itself.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { ROOT } from '../../scripts/harness/actionRunner.js';

test('browser/ compiles with no Node types and no DOM library', async () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  await expect(promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'browser/tsconfig.json')], { cwd: ROOT })).resolves.toBeDefined();
}, 60_000);

test('the ES module build imports only its own files', () => {
  const folder = join(ROOT, 'build/browser');
  const files = readdirSync(folder).filter((name) => name.endsWith('.js'));
  const specifiers = files.flatMap((name) =>
    [...readFileSync(join(folder, name), 'utf8').matchAll(/^(?:import|export)\b[^'"]*\bfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
  );
  expect(specifiers.length).toBeGreaterThan(0);
  expect(specifiers.filter((specifier) => !/^\.\/[\w.]+\.js$/.test(specifier) || !files.includes(specifier.slice(2)))).toEqual([]);
  expect(files.map((name) => readFileSync(join(folder, name), 'utf8')).filter((code) => /\bimport\s*\(|\brequire\s*\(/.test(code))).toEqual([]);
});

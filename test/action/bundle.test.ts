/**
 * The bundle's make-up: one undici in the dependency tree (so one in the bundle: the core client's and
 * @actions/http-client's are the same copy), ESM as ncc wrote it, and Octokit outside the entry file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { ROOT } from '../../scripts/harness/actionRunner.js';

test('the lockfile holds exactly one undici, shared by the core client and @actions/http-client', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const copies = Object.keys(lock.packages).filter((path) => /(^|\/)node_modules\/undici$/.test(path));
  expect(copies).toEqual(['node_modules/undici']);
  expect(lock.packages['node_modules/undici']!.version).toMatch(/^6\./);
});

test('dist/ is an ES module bundle whose entry leaves Octokit to a chunk', () => {
  const dist = join(ROOT, 'dist');
  expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  const entry = readFileSync(join(dist, 'index.js'), 'utf8');
  expect(entry.startsWith('import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";')).toBe(true);
  expect(entry).not.toContain('octokit-core.js');
  const chunks = readdirSync(dist).filter((name) => /^\d+\.index\.js$/.test(name));
  expect(chunks.some((name) => readFileSync(join(dist, name), 'utf8').includes('octokit-core.js'))).toBe(true);
});

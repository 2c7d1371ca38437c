/**
 * The owner the Action and the package are published under is kept in one place, package.json's `repository`
 * (`org` until a real owner is set there); everything that names the repository must agree with it: the `uses:`
 * lines of the examples and docs, git installs (`github:…`), links, the schemas' `$id`s, the schema id constants of
 * the package, and the validator's `--self`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import * as shared from '../../shared/index.js';
import { REPOSITORY, repositoryOf } from '../helpers/repository.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };
const [owner, name] = REPOSITORY.split('/') as [string, string];

/** Text files under `path` (or `path` itself), skipping what is installed or built. */
function textFiles(path: string): string[] {
  const full = join(ROOT, path);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(full);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(full)
    .filter((entry) => !['node_modules', 'build', 'bin'].includes(entry))
    .flatMap((entry) => textFiles(join(path, entry)));
}

const SOURCES = ['README.md', 'CHANGELOG.md', 'action.yml', 'docs', 'examples', 'schema', 'shared', '.github/workflows'].flatMap(textFiles);
/** Every place a text names this repository: `uses: <owner>/<name>@…`, `github:<owner>/<name>`, github.com links. */
const NAMED = new RegExp(String.raw`(?:uses:\s*|github:|github\.com/)([\w.-]+)/${name.replace(/[.-]/g, '\\$&')}\b`, 'g');

describe(`the owner, ${owner}, is kept in package.json's repository and nowhere else`, () => {
  test('repository names a GitHub repository with the package name', () => {
    expect(name).toBe(manifest.name);
    expect(repositoryOf('github:a/b')).toBe('a/b');
    expect(repositoryOf({ url: 'git+https://github.com/a/b.git' })).toBe('a/b');
  });

  test('every uses: line, git install and link in the docs, examples, workflows and sources names that owner', () => {
    const found = SOURCES.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(NAMED)].map((match) => ({
        file: relative(ROOT, join(ROOT, file)),
        named: match[0],
        owner: match[1],
      })),
    );
    expect(found.filter((entry) => entry.owner !== owner)).toEqual([]);
    // The check has something to check: the example workflows' steps and the README's.
    const files = new Set(found.map((entry) => entry.file));
    for (const file of ['README.md', 'examples/workflows/deploy.yml', 'examples/workflows/release.yml', 'schema/notification.schema.json']) {
      expect(files.has(file)).toBe(true);
    }
  });

  test("each schema's $id is under the repository, and the package's schema id constants are those $ids", () => {
    const ids = readdirSync(join(ROOT, 'schema'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => (JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8')) as { $id: string }).$id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id.startsWith(`https://github.com/${REPOSITORY}/`)).toBe(true);
    const constants = Object.entries(shared).filter(([key]) => /SCHEMA_ID$/.test(key));
    expect(constants.length).toBeGreaterThan(0);
    for (const [, value] of constants) expect(ids).toContain(value);
  });

  test('npm run validate:actions checks the steps that use the Action by that name', () => {
    expect(manifest.scripts['validate:actions']).toContain(`--self ${REPOSITORY} `);
  });
});

/**
 * Every code block of the documentation (README.md, docs/*.md, examples/**\/README.md) is checked, so the docs
 * cannot rot: TypeScript and JavaScript compile against the package (its own declarations, as a user's import
 * resolves them); YAML passes GitHub's workflow validator with the Action's steps held to action.yml; JSON parses,
 * and a notification passes its schema; shell is valid bash whose `npm run` scripts, `npx` bins and `node` files
 * exist. Then each page's blocks run in order, as a reader runs them, against the emulator the blocks start
 * themselves: shell with a time limit, programs the page names as files, servers in the background until the end of
 * their section. A block that cannot run here says why in its directive (test/helpers/docSnippets.ts); that is
 * the only way out.
 *
 * When run: the docs' fixed ports (8080 for the emulator, 3000 for an app) become free ports, the same within a
 * page, so runs never collide; a placeholder connection string (`AccessKey=<the printed key>`) becomes the one the
 * page's emulator printed, which later blocks also get as WEBPUBSUB_CONNECTION_STRING.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import ts from 'typescript';
import { parse, stringify } from 'yaml';
import { bundleValidator } from '../../scripts/bundleValidator.js';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { docPages, type Snippet, snippetsOf } from '../helpers/docSnippets.js';
import { validateNotification, validateNotificationV1 } from '../helpers/notificationSchema.js';
import { REPOSITORY } from '../helpers/repository.js';

const PAGES = docPages();
const SNIPPETS = PAGES.flatMap(snippetsOf);
const where = (snippet: Snippet) => `${snippet.page}:${snippet.line}`;
const of = (languages: string[]) => SNIPPETS.filter((snippet) => languages.includes(snippet.language));
const SHELL = ['sh', 'bash'];
const CODE = ['ts', 'js'];
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

/** Findings by page, `line: message`, so a failure names the block. */
function byPage(findings: { snippet: Snippet; message: string }[]): Record<string, string[]> {
  const result: Record<string, string[]> = Object.fromEntries(PAGES.map((page) => [page, []]));
  for (const { snippet, message } of findings) result[snippet.page]!.push(`${snippet.line}: ${message}`);
  return result;
}
const CLEAN = Object.fromEntries(PAGES.map((page) => [page, []]));

test('the pages are found, and every block has a language the checks know and only known directive settings', () => {
  expect(PAGES).toEqual(expect.arrayContaining(['README.md', 'docs/action.md', 'docs/emulator.md', 'examples/browser/README.md', 'examples/pulumi/README.md']));
  const problems = SNIPPETS.flatMap((snippet) => {
    const { language, directive, unknown } = snippet;
    return [
      ...(['', ...SHELL, ...CODE, 'yaml', 'json'].includes(language) ? [] : [`the language "${language}" is not checked: use sh, bash, ts, js, yaml or json`]),
      ...unknown.map((name) => `"${name}" is not a doc-test setting`),
      ...(directive.ready !== undefined && directive.background === undefined ? ['ready without background'] : []),
      ...(directive.run !== undefined && directive.file === undefined ? ['run without file'] : []),
      ...(language === '' && Object.keys(directive).length > 0 ? ['a directive on a block without a language'] : []),
    ].map((message) => ({ snippet, message }));
  });
  expect(byPage(problems)).toEqual(CLEAN);
});

describe('TypeScript and JavaScript blocks compile against the package', () => {
  let findings: Record<string, string[]>;
  beforeAll(() => {
    // Inside the repository, so `import … from 'webpubsub-action'` resolves as a user's does, through the
    // package's exports to its declarations (a package may import itself by name).
    const dir = join(ROOT, 'build/doc-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The names the docs' fragments take as given: the reader's own variables and functions.
    writeFileSync(
      join(dir, 'given.d.ts'),
      [
        'declare const userId: string;',
        'declare const response: { json(body: unknown): void };',
        'declare const dashboardConnection: string;',
        'declare const botConnection: string;',
        'declare function showBanner(text: string): void;',
        'declare function checkDeployedVersion(): void;',
      ].join('\n'),
    );
    const files = new Map<string, Snippet>();
    for (const snippet of of(CODE).filter((candidate) => candidate.directive.skip === undefined)) {
      const file = join(dir, `${snippet.page.replace(/\W/g, '-')}-${snippet.line}.${snippet.language === 'ts' ? 'ts' : 'mjs'}`);
      writeFileSync(file, snippet.code);
      files.set(file, snippet);
    }
    const options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      moduleDetection: ts.ModuleDetectionKind.Force,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    // TypeScript as a strict project compiles it; JavaScript as an editor checks it (its names, imports and the
    // package's types), without the strictness a JavaScript file does not declare. Browser code has the DOM.
    const given = join(dir, 'given.d.ts');
    const typescript = [...files.keys()].filter((file) => file.endsWith('.ts'));
    const javascript = [...files.keys()].filter((file) => file.endsWith('.mjs'));
    const programs = [
      ts.createProgram([...typescript, given], { ...options, lib: ['lib.es2022.d.ts'], strict: true }),
      ts.createProgram([...javascript, given], { ...options, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], allowJs: true, checkJs: true }),
    ];
    const diagnostics = programs
      .flatMap((program) => ts.getPreEmitDiagnostics(program))
      .flatMap((diagnostic) => {
        const snippet = diagnostic.file && files.get(diagnostic.file.fileName);
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
        if (!snippet) return [{ snippet: SNIPPETS[0]!, message: `outside the blocks: ${message}` }];
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return [{ snippet: { ...snippet, line: snippet.line + 1 + line }, message }];
      });
    findings = byPage(diagnostics);
  }, 120_000);

  test.each(PAGES)('%s', (page) => {
    expect(findings[page]).toEqual([]);
  });
});

describe("YAML blocks pass GitHub's workflow validator, their steps of this Action checked against action.yml", () => {
  let findings: Record<string, string[]>;
  beforeAll(async () => {
    const validator = await bundleValidator();
    const dir = mkdtempSync(join(tmpdir(), 'wps-doc-yaml-'));
    try {
      mkdirSync(join(dir, '.github/workflows'), { recursive: true });
      writeFileSync(join(dir, 'action.yml'), readFileSync(join(ROOT, 'action.yml')));
      const files = new Map<string, Snippet>();
      for (const snippet of of(['yaml'])) {
        const file = `.github/workflows/${snippet.page.replace(/\W/g, '-')}-${snippet.line}.yml`;
        writeFileSync(join(dir, file), asWorkflow(snippet.code));
        files.set(file, snippet);
      }
      const run = spawnSync(process.execPath, [validator, '--root', dir, '--self', REPOSITORY, ...files.keys()], { encoding: 'utf8' });
      if (run.stderr) throw new Error(run.stderr);
      const results = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { file: string; findings: { line: number; message: string }[] });
      findings = byPage(results.flatMap(({ file, findings }) => findings.map(({ message }) => ({ snippet: files.get(file)!, message }))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test.each(PAGES)('%s', (page) => {
    expect(findings[page]).toEqual([]);
  });
});

/**
 * A workflow to validate from a block: a whole workflow (an `on:` added when the block leaves it out), a list of
 * steps (put in a job), or the inputs of one step of this Action (the `with:` of a step, which gets `hub` when the
 * fragment does not set it, since the validator requires it).
 */
function asWorkflow(code: string): string {
  const value = parse(code) as unknown;
  const workflow = (steps: unknown[]) => stringify({ name: 'doc', on: 'workflow_dispatch', jobs: { doc: { 'runs-on': 'ubuntu-latest', steps } } });
  if (Array.isArray(value)) return workflow(value);
  const object = value as Record<string, unknown>;
  // The block's own text where it is whole, so the validator reads exactly what the reader copies.
  if ('jobs' in object) return 'on' in object ? code : `on: workflow_dispatch\n${code}`;
  return workflow([{ uses: `${REPOSITORY}@v1`, with: { hub: 'docs', ...object } }]);
}

test('JSON blocks parse; a notification passes the schema it names', () => {
  const problems = of(['json']).flatMap((snippet) => {
    let value: { schema?: string };
    try {
      value = JSON.parse(snippet.code) as { schema?: string };
    } catch (error) {
      return [{ snippet, message: `not JSON: ${(error as Error).message}` }];
    }
    if (typeof value.schema !== 'string' || !value.schema.startsWith('webpubsub-action/notification@')) return [];
    const validate = value.schema.endsWith('@1') ? validateNotificationV1 : validateNotification;
    return validate(value) ? [] : [{ snippet, message: JSON.stringify(validate.errors) }];
  });
  expect(byPage(problems)).toEqual(CLEAN);
  // The check has a notification to check.
  expect(of(['json']).some((snippet) => snippet.code.includes('"webpubsub-action/notification@'))).toBe(true);
});

test('shell blocks are valid bash, and the npm scripts, npx bins and node files they name exist', () => {
  const written = new Set(SNIPPETS.map((snippet) => snippet.directive.file).filter(Boolean));
  const problems = of(SHELL).flatMap((snippet) => {
    const syntax = spawnSync('bash', ['-n', '-c', snippet.code], { encoding: 'utf8' });
    const messages = syntax.status === 0 ? [] : [`bash: ${syntax.stderr.trim()}`];
    for (const [, script] of snippet.code.matchAll(/\bnpm run(?: -s)? ([\w:-]+)/g)) {
      if (!(script! in manifest.scripts)) messages.push(`npm run ${script}: package.json has no such script`);
    }
    for (const [, bin] of snippet.code.matchAll(/\bnpx ([\w@/.-]+)/g)) {
      if (!(bin! in manifest.bin)) messages.push(`npx ${bin}: the package has no such bin`);
    }
    for (const [, file] of snippet.code.matchAll(/\bnode ([\w./-]+\.m?js)\b/g)) {
      const exists = spawnSync('test', ['-f', join(ROOT, file!)]).status === 0;
      if (!exists && !written.has(file!)) messages.push(`node ${file}: no such file`);
    }
    return messages.map((message) => ({ snippet, message }));
  });
  expect(byPage(problems)).toEqual(CLEAN);
});

/** A free loopback port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

/** The blocks of a page that do something when run: shell that is not skipped, and files or programs. */
const runnable = (snippet: Snippet) => snippet.directive.skip === undefined && (SHELL.includes(snippet.language) || snippet.directive.file !== undefined);
const RUN_PAGES = PAGES.filter((page) => snippetsOf(page).some(runnable));

describe('the blocks of each page run in order, as a reader runs them', () => {
  test.each(RUN_PAGES)(
    '%s',
    async (page) => {
      const run = new PageRun(page);
      try {
        for (const snippet of snippetsOf(page).filter(runnable)) await run.block(snippet);
      } finally {
        await run.stop();
      }
    },
    180_000,
  );
});

/** One page's run: its working folder, its ports, the connection string its emulator printed, its servers. */
class PageRun {
  readonly #dir: string;
  readonly #ports = new Map<string, Promise<number>>();
  #connectionString: string | undefined;
  #section = '';
  #background: { child: ChildProcess; exited: Promise<unknown> }[] = [];

  constructor(readonly page: string) {
    // The repository as a reader's checkout: its package (and so its bin and its scripts), dependencies and
    // examples, with the files the page writes beside them.
    this.#dir = mkdtempSync(join(tmpdir(), 'wps-doc-run-'));
    for (const entry of ['package.json', 'node_modules', 'build', 'scripts', 'examples', 'schema', 'dist', 'action.yml', 'tsconfig.json']) {
      symlinkSync(join(ROOT, entry), join(this.#dir, entry));
    }
  }

  /** The docs' fixed ports, each a free one for this page. */
  async #withPorts(text: string): Promise<string> {
    for (const fixed of ['8080', '3000']) {
      if (!this.#ports.has(fixed)) this.#ports.set(fixed, freePort());
      text = text.replace(new RegExp(`\\b${fixed}\\b`, 'g'), String(await this.#ports.get(fixed)));
    }
    return text;
  }

  #withConnectionString(text: string): string {
    if (!this.#connectionString) return text;
    return text.replace(/Endpoint=http:\/\/127\.0\.0\.1:\d+;AccessKey=<[^>]*>;Version=1\.0;/g, this.#connectionString);
  }

  async block(snippet: Snippet): Promise<void> {
    const { directive, language } = snippet;
    if (snippet.section !== this.#section) {
      await this.#stopBackground();
      this.#section = snippet.section;
    }
    let code = snippet.code;
    if (directive.replace) {
      const [from, to] = directive.replace.split('=>') as [string, string];
      expect(code).toContain(from);
      code = code.split(from).join(to);
    }
    code = this.#withConnectionString(await this.#withPorts(code));
    if (directive.file) writeFileSync(join(this.#dir, directive.file), code);
    const command = SHELL.includes(language) ? code : directive.run;
    if (command === undefined) return;
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    delete env.WEBPUBSUB_CONNECTION_STRING;
    if (this.#connectionString) env.WEBPUBSUB_CONNECTION_STRING = this.#connectionString;
    // Its own process group, so that the whole of it (npm, npx, their children) is stopped together.
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', command], { cwd: this.#dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      stdout += chunk;
    });
    child.stderr!.on('data', (chunk) => void (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const name = `${where(snippet)} (${directive.run ?? `${language} block`})`;
    if (directive.background !== undefined) {
      this.#background.push({ child, exited });
      const ready = new RegExp(directive.ready ?? '.', 'm');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} was not ready within 30 s:\n${output}`)), 30_000);
        const check = () => {
          if (!ready.test(output)) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`));
        });
      });
      const printed = /^Endpoint=\S+;$/m.exec(stdout)?.[0];
      if (printed) this.#connectionString = printed;
      return;
    }
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
    const status = await exited;
    clearTimeout(timer);
    if (status !== 0) throw new Error(`${name} exited with ${status}:\n${output}`);
    if (directive.expect !== undefined && !new RegExp(directive.expect, 'm').test(output)) {
      throw new Error(`${name} printed what expect="${directive.expect}" does not match:\n${output}`);
    }
  }

  async #stopBackground(): Promise<void> {
    for (const { child, exited } of this.#background.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await exited;
    }
    this.#connectionString = undefined;
  }

  async stop(): Promise<void> {
    await this.#stopBackground();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

afterAll(() => rmSync(join(ROOT, 'build/doc-snippets'), { recursive: true, force: true }));

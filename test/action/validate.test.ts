/**
 * action.yml and the repository's workflows pass GitHub's own validator (@actions/languageservice, bundled with
 * esbuild so plain Node runs it), with the inputs of every `uses: ./` step checked against action.yml; and the
 * validator really catches what it should. action.yml also keeps the contract of DESIGN.md: these input and output
 * names, each documented, each input with its default.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { bundleValidator } from '../../scripts/bundleValidator.js';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { REPOSITORY } from '../helpers/repository.js';

interface Finding {
  line: number;
  severity: string;
  message: string;
}

let validator: string;
beforeAll(async () => {
  validator = await bundleValidator();
});

/** Runs the bundled validator, as `node` would on any machine, and returns its findings per file. */
function validate(root: string, files: string[], options: string[] = []): { code: number | null; results: { file: string; findings: Finding[] }[] } {
  const run = spawnSync(process.execPath, [validator, '--root', root, ...options, ...files], { encoding: 'utf8' });
  if (run.stderr) throw new Error(run.stderr);
  return {
    code: run.status,
    results: run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  };
}

/** Every workflow of the repository: CI, check-dist, the self-test, the release. */
const WORKFLOWS = readdirSync(join(ROOT, '.github/workflows'))
  .sort()
  .map((file) => `.github/workflows/${file}`);

test('action.yml and the workflows are valid', () => {
  expect(WORKFLOWS).toEqual(
    expect.arrayContaining([
      '.github/workflows/ci.yml',
      '.github/workflows/check-dist.yml',
      '.github/workflows/self-test.yml',
      '.github/workflows/release.yml',
    ]),
  );
  const { code, results } = validate(ROOT, ['action.yml', ...WORKFLOWS]);
  expect(results).toEqual(['action.yml', ...WORKFLOWS].map((file) => ({ file, findings: [] })));
  expect(code).toBe(0);
});

const EXAMPLES = ['examples/workflows/deploy.yml', 'examples/workflows/deploy-oidc.yml', 'examples/workflows/release.yml'];
/** The examples use the Action by its published name; the validator checks those steps against action.yml. */
const SELF = ['--self', REPOSITORY];

test('the example workflows users copy are valid, their org/webpubsub-action@v1 steps checked against action.yml', () => {
  const { code, results } = validate(ROOT, EXAMPLES, SELF);
  expect(results).toEqual(EXAMPLES.map((file) => ({ file, findings: [] })));
  expect(code).toBe(0);
  const oidc = readFileSync(join(ROOT, 'examples/workflows/deploy-oidc.yml'), 'utf8');
  expect(oidc).toMatch(/id-token: write/);
});

test('the self-test workflow runs the Action with uses: ./ against the emulator it starts', () => {
  const workflow = parse(readFileSync(join(ROOT, '.github/workflows/self-test.yml'), 'utf8')) as {
    jobs: Record<string, { steps: { uses?: string; run?: string }[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  expect(steps.filter((step) => step.uses === './').length).toBeGreaterThanOrEqual(2);
  expect(steps.some((step) => step.run?.includes('build/emulator/cli.js --port 0 --ready-file'))).toBe(true);
});

describe('the validator catches mistakes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wps-validate-'));
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    copyFileSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('in a step that uses the published name: a misspelt input of a copied example', () => {
    const example = readFileSync(join(ROOT, 'examples/workflows/deploy.yml'), 'utf8').replace(
      '          hub: shop\n',
      '          hub: shop\n          mesage: hi\n',
    );
    writeFileSync(join(dir, '.github/workflows/copied.yml'), example);
    const { code, results } = validate(dir, ['.github/workflows/copied.yml'], SELF);
    expect(results[0]!.findings).toEqual([expect.objectContaining({ severity: 'error', message: "Invalid action input 'mesage'" })]);
    expect(code).toBe(1);
  });

  test('in a uses: ./ step: an unknown input and a missing required one (hub)', () => {
    writeFileSync(
      join(dir, '.github/workflows/notify.yml'),
      'on: push\njobs:\n  notify:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./\n        with:\n          connection-string: x\n          mesage: hello\n',
    );
    const { code, results } = validate(dir, ['.github/workflows/notify.yml']);
    expect(code).toBe(1);
    expect(results[0]!.findings.map((f) => f.message).sort()).toEqual(["Invalid action input 'mesage'", 'Missing required input `hub`']);
  });

  test('in action.yml: a runtime the runner does not have, and a branding icon that does not exist', () => {
    const broken = readFileSync(join(ROOT, 'action.yml'), 'utf8').replace('using: node24', 'using: node22').replace('icon: radio', 'icon: rocket-ship');
    mkdirSync(join(dir, 'broken'), { recursive: true });
    writeFileSync(join(dir, 'broken/action.yml'), broken);
    const { code, results } = validate(dir, ['broken/action.yml']);
    expect(code).toBe(1);
    const messages = results[0]!.findings.map((f) => f.message).join('\n');
    expect(messages).toContain('node22');
    expect(messages).toContain('rocket-ship');
  });
});

describe("action.yml keeps DESIGN.md's contract", () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
    outputs: Record<string, { description?: string }>;
    runs: Record<string, string>;
  };
  const INPUTS = [
    'connection-string',
    'endpoint',
    'access-key',
    'client-id',
    'tenant-id',
    'audience',
    'authority-host',
    'hub',
    'operation',
    'target',
    'group',
    'user-id',
    'connection-id',
    'message',
    'message-file',
    'content-type',
    'release-tag',
    'github-token',
    'id',
    'notification-schema',
    'filter',
    'excluded',
    'message-ttl-seconds',
    'reason',
    'count-recipients',
    'batch-size',
    'batch-interval-seconds',
    'api-version',
    'retries',
    'timeout-seconds',
    'dry-run',
    'fail-on-error',
  ];
  const OUTPUTS = ['ok', 'status', 'attempts', 'duration-ms', 'payload', 'id', 'recipients', 'closed'];

  test('exactly the contract inputs and outputs, each described; every optional input has its default', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...INPUTS].sort());
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUTS].sort());
    for (const [name, input] of Object.entries(action.inputs)) {
      expect([name, typeof input.description === 'string' && input.description.length > 10]).toEqual([name, true]);
      if (!input.required) expect([name, typeof input.default]).toEqual([name, 'string']);
    }
    for (const [name, output] of Object.entries(action.outputs)) expect([name, typeof output.description]).toEqual([name, 'string']);
    expect(action.inputs).toMatchObject({
      operation: { default: 'send' },
      target: { default: 'hub' },
      'content-type': { default: 'auto' },
      audience: { default: 'api://AzureADTokenExchange' },
      'authority-host': { default: 'https://login.microsoftonline.com' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression action.yml holds, not a JavaScript template.
      'github-token': { default: '${{ github.token }}' },
      'fail-on-error': { default: 'true' },
      'notification-schema': { default: '2' },
    });
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  test("the Action's page, docs/action.md, has a table row for every input and output", () => {
    const page = readFileSync(join(ROOT, 'docs/action.md'), 'utf8');
    for (const name of [...INPUTS, ...OUTPUTS]) expect([name, page.includes(`| \`${name}\` |`)]).toEqual([name, true]);
    for (const heading of ['connection string', 'OIDC', 'release announcement', 'Graceful close', 'notification@2']) expect(page).toContain(heading);
  });
});

/**
 * The Action's cost as a pipeline step feels it: the bundle's size, and the wall time of the whole
 * `node dist/index.js` process sending one deploy notification to the emulator, against a bare `node` process
 * making one fetch to the same server. Both on Node 24 (the runtime `runs.using: node24` gets), interleaved round
 * by round so that a noisy machine hits both alike; medians. Target: TARGETS.actionVsFetch.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.js';
import { HAVE_NODE24, NODE24, ROOT } from '../scripts/harness/actionRunner.js';
import { median, medianRatio } from './measure.js';
import { checkTarget, progress, TARGETS } from './targets.js';

const WARMUP_ROUNDS = 3;
const ROUNDS = 21;

/** Milliseconds from spawning `node args` until it exits; rejects when it exits non-zero. */
export function timeProcess(node: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(node, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? done(performance.now() - started) : fail(new Error(`${args[0]} exited with ${code}: ${stderr}`))));
  });
}

/** A chunk of dist/ a path loads, recognized by a string only that chunk's code holds. */
const PATH_MARKERS: { path: string; markers: string[] }[] = [
  { path: 'Microsoft Entra (OIDC)', markers: ['client-assertion-type:jwt-bearer', 'ACTIONS_ID_TOKEN_REQUEST_URL'] },
  { path: 'release-tag', markers: ['fetchRelease', 'octokit'] },
];

/** The chunks each `import()` of the bundle loads together, by file name. */
function importGroups(code: string): string[][] {
  const groups: string[][] = [];
  for (const [, many, one] of code.matchAll(/Promise\.all\(\/\* import\(\) \*\/\[([^\]]*)\]\)|__nccwpck_require__\.e\(\/\* import\(\) \*\/ (\d+)\)/g)) {
    const ids = one ? [one] : [...many!.matchAll(/\.e\((\d+)\)/g)].map((match) => match[1]!);
    groups.push(ids.map((id) => `${id}.index.js`));
  }
  return groups;
}

/** What each path loads from dist/: the entry, plus the lazily loaded chunks its code is in and those loaded with them. */
function bundleByPath(): { path: string; files: string[]; bytes: number }[] {
  const dist = join(ROOT, 'dist');
  const names = readdirSync(dist).filter((name) => name.endsWith('.js'));
  const text = new Map(names.map((name) => [name, readFileSync(join(dist, name), 'utf8')]));
  const groups = names.flatMap((name) => importGroups(text.get(name)!));
  const size = (name: string) => statSync(join(dist, name)).size;
  const paths = [{ path: 'send or close with a connection string', files: ['index.js'] }];
  for (const { path, markers } of PATH_MARKERS) {
    const own = names.filter((name) => name !== 'index.js' && markers.some((marker) => text.get(name)!.includes(marker)));
    const withThem = groups.filter((group) => group.some((name) => own.includes(name))).flat();
    paths.push({ path, files: ['index.js', ...new Set([...withThem, ...own].sort())] });
  }
  return paths.map(({ path, files }) => ({ path, files, bytes: files.reduce((sum, name) => sum + size(name), 0) }));
}

/** Runs the bench, prints a table, and returns the medians and their ratio (undefined without Node 24). */
export async function benchActionStartup(): Promise<{ actionMs: number; bareMs: number; ratio: number } | undefined> {
  console.log('\nThe GitHub Action: the bundle each path loads, and one step');
  console.log('| path | files | KiB |');
  console.log('|---|---|---:|');
  for (const { path, files, bytes } of bundleByPath()) console.log(`| ${path} | ${files.join(' + ')} | ${(bytes / 1024).toFixed(0)} |`);
  if (!HAVE_NODE24) {
    console.log(`SKIPPED the step timing: no Node 24 at ${NODE24} (npm ci installs it on linux-x64 through tools/node24, a dev-only optional dependency)`);
    return undefined;
  }
  const emulator = await startEmulator({ port: 0 });
  const temp = mkdtempSync(join(tmpdir(), 'wps-bench-'));
  try {
    for (const name of ['output', 'summary', 'event.json']) writeFileSync(join(temp, name), name === 'event.json' ? '{}' : '');
    const actionEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'octo-org/shop',
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(temp, 'event.json'),
      GITHUB_RUN_ID: '1',
      GITHUB_WORKSPACE: temp,
      GITHUB_OUTPUT: join(temp, 'output'),
      GITHUB_STEP_SUMMARY: join(temp, 'summary'),
      'INPUT_CONNECTION-STRING': emulator.connectionString,
      INPUT_HUB: 'bench',
      INPUT_OPERATION: 'send',
      INPUT_TARGET: 'hub',
      'INPUT_CONTENT-TYPE': 'auto',
      'INPUT_API-VERSION': '2024-12-01',
      INPUT_RETRIES: '3',
      'INPUT_TIMEOUT-SECONDS': '60',
      'INPUT_DRY-RUN': 'false',
      'INPUT_FAIL-ON-ERROR': 'true',
      'INPUT_COUNT-RECIPIENTS': 'false',
      'INPUT_BATCH-INTERVAL-SECONDS': '0',
    };
    const health = `${emulator.endpoint}/api/health?api-version=2024-12-01`;
    const bareScript = `const r = await fetch(${JSON.stringify(health)}, { method: 'HEAD' }); if (r.status !== 200) process.exit(1);`;
    const contenders = [
      { name: 'node dist/index.js (one deploy notification)', run: () => timeProcess(NODE24, [join(ROOT, 'dist/index.js')], actionEnv, temp) },
      { name: 'bare node, one fetch', run: () => timeProcess(NODE24, ['--input-type=module', '-e', bareScript], { PATH: process.env.PATH }, temp) },
    ];
    const samples = contenders.map(() => [] as number[]);
    progress(`Action start-up: ${WARMUP_ROUNDS} warm-up + ${ROUNDS} interleaved rounds on Node 24`);
    for (let round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always runs on a machine the other just warmed or loaded.
      for (let i = 0; i < contenders.length; i++) {
        const index = (i + Math.max(round, 0)) % contenders.length;
        const ms = await contenders[index]!.run();
        if (round >= 0) samples[index]!.push(ms);
      }
      if (round >= 0 && (round + 1) % 5 === 0) progress(`Action start-up: round ${round + 1} of ${ROUNDS}`);
    }
    const [actionMs, bareMs] = samples.map(median) as [number, number];
    const ratio = medianRatio(samples[0]!, samples[1]!);
    console.log('| process (Node 24) | median wall time |');
    console.log('|---|---:|');
    contenders.forEach((contender, i) => console.log(`| ${contender.name} | ${median(samples[i]!).toFixed(0)} ms |`));
    console.log(`Action step / bare fetch: ${checkTarget('Action step (Node 24) vs a bare node fetch', ratio, TARGETS.actionVsFetch)}`);
    return { actionMs, bareMs, ratio };
  } finally {
    rmSync(temp, { recursive: true, force: true });
    await emulator.close();
  }
}

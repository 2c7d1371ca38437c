/**
 * The CLI's start-up as a pipeline feels it: `webpubsub-action send` from the packed package installed in a fresh
 * project (the bin npm links, as `npx` finds it), sending one deploy notification to the emulator, against a bare
 * `node` process making one fetch to the same server, on each runtime the tests use (this Node, and Node 24 when
 * installed). Interleaved round by round; the median of the per-round ratios. Target: TARGETS.cliVsFetch. `npx` itself (npm's own start-up, before ours) is timed
 * too, for information.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEmulator } from '../emulator/index.js';
import { installPackedPackage } from '../test/helpers/consumerProject.js';
import { RUNTIMES } from '../scripts/harness/actionRunner.js';
import { timeProcess } from './action.js';
import { median, medianRatio } from './measure.js';
import { checkTarget, noteRatio, progress, TARGETS } from './targets.js';

/** @param rounds - interleaved rounds after 3 warm-up rounds (`BENCH_CLI_ROUNDS` scales it down) */
/** @returns the largest of the runtimes' ratios */
export async function benchCliStartup(rounds = Number(process.env.BENCH_CLI_ROUNDS) || 21): Promise<{ ratio: number }> {
  console.log('\nThe CLI: one send from an installed package');
  progress('CLI start-up: packing and installing the package into a temporary project');
  const { dir } = await installPackedPackage([]);
  const emulator = await startEmulator({ port: 0 });
  try {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
    const bin = join(dir, 'node_modules/.bin/webpubsub-action');
    const health = `${emulator.endpoint}/api/health?api-version=2024-12-01`;
    const bareScript = `const r = await fetch(${JSON.stringify(health)}, { method: 'HEAD' }); if (r.status !== 200) process.exit(1);`;
    const send = ['send', '--hub', 'bench', '--repository', 'octo-org/shop', '--sha', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'];
    // Each runtime's pair (the CLI, then the bare fetch on the same node), then npx (npm runs on this node).
    const contenders = RUNTIMES.flatMap(({ name, node }) => [
      { name: `webpubsub-action send (installed bin), ${name}`, run: () => timeProcess(node, [bin, ...send], env, dir) },
      { name: `bare node, one fetch, ${name}`, run: () => timeProcess(node, ['--input-type=module', '-e', bareScript], env, dir) },
    ]);
    contenders.push({
      name: 'npx webpubsub-action send',
      run: () => timeProcess(process.execPath, [npxCli(), '--no-install', 'webpubsub-action', ...send], env, dir),
    });
    const samples = contenders.map(() => [] as number[]);
    progress(`CLI start-up: 3 warm-up + ${rounds} interleaved rounds on ${RUNTIMES.map(({ name }) => name).join(' and ')}`);
    for (let round = -3; round < rounds; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const index = (i + Math.max(round, 0)) % contenders.length;
        const ms = await contenders[index]!.run();
        if (round >= 0) samples[index]!.push(ms);
      }
    }
    console.log('| process | median wall time |');
    console.log('|---|---:|');
    contenders.forEach((contender, i) => console.log(`| ${contender.name} | ${median(samples[i]!).toFixed(0)} ms |`));
    let ratio = 0;
    RUNTIMES.forEach(({ name }, r) => {
      const measured = medianRatio(samples[2 * r]!, samples[2 * r + 1]!);
      ratio = Math.max(ratio, measured);
      console.log(`CLI send / bare fetch, ${name}: ${checkTarget(`CLI send (installed bin) vs a bare node fetch, ${name}`, measured, TARGETS.cliVsFetch)}`);
    });
    const npx = medianRatio(samples[samples.length - 1]!, samples[1]!);
    noteRatio('npx webpubsub-action send (npm start-up included) vs a bare node fetch', npx);
    console.log(`npx … send / bare fetch: ${npx.toFixed(2)}x (npm's own start-up, not ours, is most of the difference)`);
    return { ratio };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * npm's npx script (the `npx` on PATH may be a shell wrapper): beside the npm that runs this bench, else beside this
 * node. Under `npm run`, `node` can be another runtime than npm's (the Node 24 binary the tests install is one,
 * with no npm of its own).
 */
function npxCli(): string {
  const npm = process.env.npm_execpath;
  if (npm?.endsWith('npm-cli.js')) return join(dirname(npm), 'npx-cli.js');
  return join(process.execPath, '../../lib/node_modules/npm/bin/npx-cli.js');
}

/**
 * `npm run bench`: every performance claim of the project, as ratios against peers measured in the same run.
 * `npm run bench -- <section>` runs one section (bench/options.ts has the flags). A new section is one line in
 * SECTIONS.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchActionStartup } from './action.js';
import { benchCliStartup } from './cli.js';
import { benchClientSendToAll } from './client.js';
import { benchEmulatorBroadcast, QUICK_SIZES } from './emulator.js';
import { type BenchOptions, parseBenchArgs, USAGE } from './options.js';
import { benchPulumiMembership } from './pulumi.js';
import { benchReceiving } from './receiving.js';
import { allRatios, summary, verdict } from './targets.js';

interface Section {
  name: string;
  run: (options: BenchOptions) => Promise<unknown>;
}

const SECTIONS: Section[] = [
  { name: 'client', run: (options) => benchClientSendToAll(options.quick ? { rounds: 3, durationMs: 500 } : {}) },
  { name: 'emulator', run: (options) => benchEmulatorBroadcast(options.quick ? { sizes: QUICK_SIZES } : {}) },
  { name: 'pulumi', run: (options) => benchPulumiMembership(options) },
  { name: 'action', run: () => benchActionStartup() },
  { name: 'cli', run: (options) => benchCliStartup(options.quick ? 5 : undefined) },
  { name: 'receiving', run: (options) => benchReceiving(options.quick ? { scale: 0.5 } : {}) },
];

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const unknown = options.sections.filter((name) => !SECTIONS.some((section) => section.name === name));
if (unknown.length > 0) {
  console.error(`no bench section ${unknown.join(', ')}; sections: ${SECTIONS.map((section) => section.name).join(', ')}\n${USAGE}`);
  process.exit(2);
}
const chosen = options.sections.length === 0 ? SECTIONS : SECTIONS.filter((section) => options.sections.includes(section.name));
for (const section of chosen) await section.run(options);
console.log(`\n${summary()}\n\n${verdict()}`);
if (options.json) {
  const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform}-${process.arch}` };
  const run = { date: new Date().toISOString(), machine, sections: chosen.map((section) => section.name), quick: options.quick, ratios: allRatios() };
  writeFileSync(options.json, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`ratios written to ${options.json}`);
}

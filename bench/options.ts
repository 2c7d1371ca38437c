/** The command line of `npm run bench -- [section...] [--quick] [--members N] [--json FILE]`. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** The sections to run, in order; empty for all. */
  sections: string[];
  /** Fewer rounds and smaller sizes, for a small or busy machine. */
  quick: boolean;
  /** The largest group the Pulumi sweep builds (default 10,000; 1,000 with --quick). */
  members?: number;
  /** Where to write every ratio of the run as JSON. */
  json?: string;
}

export const USAGE = `usage: npm run bench -- [section...] [--quick] [--members N] [--json FILE]
  section     run only these sections (default: all)
  --quick     fewer rounds and smaller sizes, for a small or busy machine
  --members N the largest membership the Pulumi sweep builds (at least 100; default 10000, 1000 with --quick)
  --json FILE write every ratio of the run, with the machine, to FILE`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { quick: { type: 'boolean', default: false }, members: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let members: number | undefined;
  if (values.members !== undefined) {
    members = Number(values.members);
    if (!Number.isInteger(members) || members < 100) throw new Error(`--members must be a whole number of at least 100 (got ${values.members})\n${USAGE}`);
  }
  return { sections: positionals, quick: values.quick ?? false, members, json: values.json };
}

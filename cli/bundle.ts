/**
 * The CLI as it ships: build/bin/, esbuild's bundle of build/cli/main.js (tsc's output) with every dependency
 * inlined and each command's code split into a chunk that loads only when that command runs. One file per command
 * instead of some two hundred modules (undici, jose, the Action's and the core's), which is what keeps a `send`
 * within 1.2x of a bare `node` fetch (bench/cli.ts). `emulator` stays the package's own build/emulator/cli.js.
 *
 * Run after `tsc`: `node build/cli/bundle.js`.
 */
import { chmod, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const OUT = 'build/bin';
await rm(OUT, { recursive: true, force: true });
await build({
  entryPoints: { 'webpubsub-action': 'build/cli/main.js' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The emulator's CLI is its own bin's file; from build/bin/ the import below reaches build/emulator/cli.js.
  external: ['../emulator/cli.js'],
  // undici is CommonJS: its require() of Node's modules needs a real require in an ES module.
  banner: { js: "import { createRequire as __wpsCreateRequire } from 'node:module'; const require = __wpsCreateRequire(import.meta.url);" },
  // Less to parse at each start; names kept, so errors and stack traces still read.
  minify: true,
  keepNames: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
await chmod(`${OUT}/webpubsub-action.js`, 0o755);

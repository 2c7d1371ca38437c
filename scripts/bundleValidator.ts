/**
 * Bundles scripts/validateActions (as tsc compiled it) with esbuild into one ES module that plain Node runs:
 * esbuild inlines the language service's JSON files, and the banner gives its CommonJS parts a `require`.
 */
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the bundled validator is written. */
export const VALIDATOR = join(root, 'build/validate-actions.mjs');

/** Builds the validator bundle (under a second on this machine) and returns its path. */
export async function bundleValidator(): Promise<string> {
  await build({
    entryPoints: [join(root, 'build/scripts/validateActions.js')],
    outfile: VALIDATOR,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return VALIDATOR;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleValidator();

/**
 * The CommonJS half of the package, for consumers that `require()` it: Pulumi's TypeScript template, Jest's default
 * setup, ts-node. Each entry point's compiled ES module (the very JavaScript the tests run) is re-packed by esbuild
 * into one CommonJS file, with jose inlined: jose 6 is ESM-only, and requiring it would need require(esm), which
 * older Node releases and Jest's module loader lack. The other dependencies stay external. The declarations are
 * copied beside each file, and build/cjs/package.json marks the folder CommonJS, so TypeScript reads the copies as
 * CommonJS declarations under NodeNext.
 *
 * Run after `tsc`: `node build/scripts/buildCjs.js`.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

/** Entry points by folder: `build/<folder>/index.js` becomes `build/cjs/<folder>/index.js`. */
export const CJS_ENTRY_FOLDERS = ['shared', 'emulator', 'pulumi-provider', 'browser'] as const;
/** Dependencies bundled into the CommonJS files rather than required. */
const INLINED = new Set(['jose']);
/**
 * Required by name at run time, never bundled: the Pulumi providers load the package itself and @azure/identity
 * inside their methods, in the provider host, so that none of it is serialized into a stack's state.
 */
const LOADED_BY_NAME = ['@azure/identity'];

const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { name: string; dependencies?: object; peerDependencies?: object };
const external = [...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((name) => !INLINED.has(name)), pkg.name, ...LOADED_BY_NAME];

await build({
  entryPoints: CJS_ENTRY_FOLDERS.map((folder) => ({ in: `build/${folder}/index.js`, out: `${folder}/index` })),
  outdir: 'build/cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // tsc's source maps (sources inlined) are followed, so stack traces point at the TypeScript.
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
for (const folder of CJS_ENTRY_FOLDERS) {
  await cp(`build/${folder}`, `build/cjs/${folder}`, { recursive: true, filter: (path) => !/\.js(\.map)?$/.test(path) });
}
await writeFile('build/cjs/package.json', '{ "type": "commonjs" }\n');

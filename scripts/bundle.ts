/**
 * `npm run bundle`: the Action's dist/ from the tsc output, through @vercel/ncc with the options in ncc.config.js.
 * dist/ is committed (the runner runs it as is) and CI rebuilds it and fails when it differs, so the output must
 * depend on the sources only: dist/ is emptied first, and the dead source-map comments tsc left are dropped.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface NccOutput {
  code: string;
  assets: Record<string, { source: string | Buffer }>;
}
type Ncc = (entry: string, options: object) => Promise<NccOutput>;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { default: config } = (await import(join(root, 'ncc.config.js'))) as { default: { entry: string; outDir: string; ncc: object } };
const ncc = createRequire(import.meta.url)('@vercel/ncc') as Ncc;

const outDir = join(root, config.outDir);
const { code, assets } = await ncc(join(root, config.entry), config.ncc);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const dropSourceMapComments = (text: string) => text.replace(/^\/\/# sourceMappingURL=.*\n?/gm, '');
writeFileSync(join(outDir, 'index.js'), shareOneRequire(dropSourceMapComments(code)));
let bytes = Buffer.byteLength(code);
for (const [name, { source }] of Object.entries(assets)) {
  const content = name.endsWith('.js') ? dropSourceMapComments(source.toString()) : source;
  mkdirSync(dirname(join(outDir, name)), { recursive: true });
  writeFileSync(join(outDir, name), content);
  bytes += Buffer.byteLength(content);
}
/**
 * ncc's ESM output loads each Node built-in through its own `createRequire(import.meta.url)`: 37 module objects and
 * path resolutions at every start of the step. One shared require does the same job.
 */
function shareOneRequire(text: string): string {
  const importLine = 'import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";\n';
  if (!text.startsWith(importLine)) return text;
  const shared = '__WEBPACK_EXTERNAL_require';
  return `${importLine}const ${shared} = __WEBPACK_EXTERNAL_createRequire(import.meta.url);\n${text
    .slice(importLine.length)
    .replaceAll('__WEBPACK_EXTERNAL_createRequire(import.meta.url)(', `${shared}(`)}`;
}

console.log(`dist/: index.js and ${Object.keys(assets).length} more file(s), ${(bytes / 1024).toFixed(0)} KiB`);

/**
 * `npm run generate`: writes action.yml's inputs and outputs and the docs' input and output tables from the
 * tables in action/inputs.ts and action/outputs.ts (rendered by inputDocs.ts). Run it after changing a table;
 * test/unit/generated.test.ts fails until the committed files match.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './inputDocs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
for (const [file, content] of Object.entries(generatedFiles(root))) {
  const path = join(root, file);
  if (readFileSync(path, 'utf8') === content) continue;
  writeFileSync(path, content);
  console.log(`generate: wrote ${file}`);
}

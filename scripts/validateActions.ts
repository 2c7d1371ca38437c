/**
 * Validates action.yml and workflow files offline with GitHub's own validator, `@actions/languageservice` (the
 * schema the runner's parser uses). Its JSON imports lack import attributes, so plain Node cannot load it: the tests
 * bundle this script with esbuild first (`npm run validate:actions` does the same).
 *
 * The language service skips local actions (`uses: ./`); here they are rewritten to a stand-in remote reference
 * whose metadata is read from the repository, so their inputs are checked against action.yml (unknown inputs,
 * missing required ones). With `--self <owner/name>`, steps that use this action by its published name
 * (`uses: org/webpubsub-action@v1`, as the examples users copy do) are checked the same way. Other remote actions
 * cannot be resolved offline, so "Unable to resolve action" for them is dropped.
 *
 * Usage: node validate-actions.mjs --root <repo> [--self <owner/name>] <file>... ; prints one JSON line per file
 * and exits 1 when any file has an error.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validate } from '@actions/languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse } from 'yaml';

/** The owner/name local actions are rewritten to. */
const LOCAL = { owner: 'local-action', name: 'self', ref: 'local' };
const LOCAL_USES = /^(\s*-?\s*uses:\s*)(['"]?)\.\/([^\s'"#]*?)\/?\2(\s*(#.*)?)$/gm;
const ERROR = 1;

interface Finding {
  line: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

const { values, positionals } = parseArgs({ options: { root: { type: 'string' }, self: { type: 'string' } }, allowPositionals: true });
const root = resolve(values.root ?? '.');
const escaped = values.self?.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** `uses: <self>@<ref>`: the action under its published name. */
const SELF_USES = escaped ? new RegExp(`^(\\s*-?\\s*uses:\\s*)(['"]?)${escaped}@[^\\s'"#]+\\2(\\s*(#.*)?)$`, 'gm') : undefined;
let failed = false;
for (const file of positionals) {
  const path = resolve(root, file);
  let text = readFileSync(path, 'utf8').replace(
    LOCAL_USES,
    (_all, before: string, quote: string, sub: string, after: string) =>
      `${before}${quote}${LOCAL.owner}/${LOCAL.name}${sub ? `/${sub}` : ''}@${LOCAL.ref}${quote}${after}`,
  );
  if (SELF_USES)
    text = text.replace(
      SELF_USES,
      (_all, before: string, quote: string, after: string) => `${before}${quote}${LOCAL.owner}/${LOCAL.name}@${LOCAL.ref}${quote}${after}`,
    );
  // The language service tells an action from a workflow by the path in the URI.
  const document = TextDocument.create(`file:///${relative(root, path)}`, 'yaml', 1, text);
  const diagnostics = await validate(document, {
    actionsMetadataProvider: {
      async fetchActionMetadata(action) {
        if (action.owner !== LOCAL.owner || action.name !== LOCAL.name) return undefined;
        return parse(readFileSync(join(root, action.path ?? '', 'action.yml'), 'utf8'));
      },
    },
  });
  const findings: Finding[] = diagnostics
    .map((d) => ({
      line: d.range.start.line + 1,
      severity: d.severity === ERROR || d.severity === undefined ? ('error' as const) : d.severity === 2 ? ('warning' as const) : ('info' as const),
      message: typeof d.message === 'string' ? d.message : d.message.value,
    }))
    .filter((f) => !(f.message.startsWith('Unable to resolve action') && !f.message.includes(`${LOCAL.owner}/${LOCAL.name}`)));
  if (findings.some((finding) => finding.severity === 'error')) failed = true;
  process.stdout.write(`${JSON.stringify({ file, findings })}\n`);
}
process.exitCode = failed ? 1 : 0;

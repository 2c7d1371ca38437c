/**
 * Renders the inputs and outputs tables (action/inputs.ts, action/outputs.ts) into the files that show them:
 * action.yml's `inputs:` and `outputs:`, and the tables of docs/action.md and docs/cli.md between
 * `<!-- inputs:start -->` / `<!-- inputs:end -->` and `<!-- outputs:start -->` / `<!-- outputs:end -->`.
 * `npm run generate` writes them; test/unit/generated.test.ts fails when a committed file differs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ACTION_WORDING, CLI_WORDING } from '../action/inputError.js';
import { describeInput, type FrontEnd, INPUT_GROUPS, type InputDefinition, inputsOf, type Mentions, wordMentions } from '../action/inputs.js';
import { OUTPUTS } from '../action/outputs.js';

const YAML_WIDTH = 118;

/**
 * A YAML scalar for `key:` at `indent`: plain or quoted as the yaml library decides, folded (`>-`) when long.
 * Values that a YAML reader could take for a number, boolean or date are quoted, as action.yml always had them.
 */
function yamlScalar(key: string, text: string, indent: string): string {
  const inline = /^$|^[\d.:+-]+$|^(true|false|null)$/i.test(text) ? JSON.stringify(text) : stringify(text, { lineWidth: 0 }).trimEnd();
  if (`${indent}${key}: ${inline}`.length <= YAML_WIDTH || text !== text.trim()) return `${indent}${key}: ${inline}`;
  const lines: string[] = [];
  let line = '';
  // A `{{ … }}` placeholder is one word, so no fold falls inside it.
  for (const word of text.match(/(?:\{\{[^}]*\}\}|\S)+/g) ?? []) {
    if (line && `${indent}  ${line} ${word}`.length > YAML_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return `${indent}${key}: >-\n${lines.map((folded) => `${indent}  ${folded}`).join('\n')}`;
}

/** action.yml from `inputs:` up to `runs:`, from the tables. */
export function actionYmlInputsAndOutputs(): string {
  const out: string[] = ['inputs:'];
  let group: string | undefined;
  for (const input of inputsOf('action')) {
    if (input.group !== group) {
      if (group) out.push('');
      group = input.group;
      out.push(`  # ${wordMentions(INPUT_GROUPS[input.group], ACTION_WORDING)}.`);
    }
    out.push(`  ${input.name}:`, yamlScalar('description', wordMentions(input.description, ACTION_WORDING), '    '));
    out.push(`    required: ${input.required === true}`);
    if (!input.required) out.push(yamlScalar('default', input.frontEndDefault?.action ?? input.default, '    '));
  }
  out.push('', 'outputs:');
  for (const output of OUTPUTS) out.push(`  ${output.name}:`, yamlScalar('description', wordMentions(output.description, ACTION_WORDING), '    '));
  return `${out.join('\n')}\n`;
}

/** Mentions in Markdown: names in code spans, on each front-end's terms. */
const markdownMentions = (frontEnd: FrontEnd): Mentions => {
  const wording = frontEnd === 'action' ? ACTION_WORDING : CLI_WORDING;
  return { mention: (name) => `\`${wording.mention(name)}\``, setting: (name, value) => `\`${wording.setting(name, value)}\`` };
};

/** A table cell: no pipes or line breaks to break the row; `<path>` shown, not read as HTML. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');

function defaultCell(input: InputDefinition, frontEnd: FrontEnd): string {
  if (input.required) return '(required)';
  const value = input.frontEndDefault?.[frontEnd] ?? input.default;
  return value === '' ? '' : `\`${value}\``;
}

/** The inputs table of a front-end's page. */
export function inputsTable(frontEnd: FrontEnd): string {
  const mentions = markdownMentions(frontEnd);
  const describe = (input: InputDefinition) => cell(describeInput(input, mentions));
  if (frontEnd === 'action') {
    const rows = inputsOf('action').map((input) => `| \`${input.name}\` | ${defaultCell(input, 'action')} | ${describe(input)} |`);
    return ['| Input | Default | Description |', '|---|---|---|', ...rows].join('\n');
  }
  // On the CLI the operation is the command (`webpubsub-action send|close`), not a flag: --operation is refused.
  const rows = inputsOf('cli')
    .filter((input) => input.name !== 'operation')
    .map((input) => {
      const flag = `\`--${input.name}\`${input.file ? `, \`--${input.name}-file\`` : ''}`;
      return `| ${flag} | ${input.envVar ? `\`${input.envVar}\`` : ''} | ${defaultCell(input, 'cli')} | ${describe(input)} |`;
    });
  return ['| Flag | Environment | Default | Description |', '|---|---|---|---|', ...rows].join('\n');
}

/** The outputs table of a front-end's page. */
export function outputsTable(frontEnd: FrontEnd): string {
  const mentions = markdownMentions(frontEnd);
  const rows = OUTPUTS.map((output) => `| \`${output.name}\` | ${cell(wordMentions(output.description, mentions))} |`);
  return ['| Output | Description |', '|---|---|', ...rows].join('\n');
}

/** `text` with the region between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
export function replaceRegion(text: string, name: string, content: string, file: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} region`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** Every generated file, as it should be now, by its path from the repository root. */
export function generatedFiles(root: string): Record<string, string> {
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const action = read('action.yml');
  const from = action.indexOf('\ninputs:\n');
  const to = action.indexOf('\nruns:\n');
  if (from < 0 || to < from) throw new Error('action.yml has no inputs: … runs: part');
  const files: Record<string, string> = { 'action.yml': `${action.slice(0, from + 1)}${actionYmlInputsAndOutputs()}${action.slice(to)}` };
  for (const [file, frontEnd] of [
    ['docs/action.md', 'action'],
    ['docs/cli.md', 'cli'],
  ] as const) {
    const page = replaceRegion(read(file), 'inputs', inputsTable(frontEnd), file);
    files[file] = replaceRegion(page, 'outputs', outputsTable(frontEnd), file);
  }
  return files;
}

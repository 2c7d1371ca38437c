/**
 * The fenced code blocks of the documentation (README.md, docs/*.md, examples/**\/README.md), with where each one
 * is and what its `doc-test` directive says. A directive is an HTML comment on the line right before a fence,
 * invisible to readers:
 *
 *   <!-- doc-test: background ready="^Endpoint=" -->
 *
 * Its settings, as `name="value"` or a bare `name`:
 * - `skip="why"`: not run (a shell block) or not compiled (code), for the reason given; static checks still apply.
 * - `file="name"`: the block is also written to that file of the page's working folder, for later blocks.
 * - `run="command"`: after writing `file`, the shell runs this command (a code block that is a program).
 * - `background`: the block (or its `run`) is started and left running until the end of its section (the next `##`
 *   heading), once its output matches `ready="regex"`.
 * - `expect="regex"`: what the block prints must match.
 * - `replace="from=>to"`: runs the block with `from` replaced by `to` (a step that stands for the reader's own).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/harness/actionRunner.js';

/** The directive settings a block may carry. */
export const DIRECTIVE_SETTINGS = ['skip', 'file', 'run', 'background', 'ready', 'expect', 'replace'] as const;
export type Directive = Partial<Record<(typeof DIRECTIVE_SETTINGS)[number], string>>;

export interface Snippet {
  /** The page, relative to the repository root. */
  page: string;
  /** The 1-based line of the opening fence. */
  line: number;
  /** The fence's language tag, lower-case; '' for none. */
  language: string;
  /** The block's text, dedented by the fence's indentation, ending with a newline. */
  code: string;
  /** The `##` section the block is in ('' before the first). */
  section: string;
  directive: Directive;
  /** Settings of the directive that are not known: a typo must not pass as an ignored setting. */
  unknown: string[];
}

/** Every documentation page: the README, docs/, and the examples' READMEs. */
export function docPages(): string[] {
  const examples = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `examples/${entry.name}/README.md`)
    .filter((page) => {
      try {
        readFileSync(join(ROOT, page));
        return true;
      } catch {
        return false;
      }
    });
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`);
  return ['README.md', ...docs.sort(), ...examples.sort()];
}

const DIRECTIVE = /^\s*<!--\s*doc-test:(.*?)-->\s*$/;
const SETTING = /([a-z]+)(?:="((?:[^"\\]|\\.)*)")?/g;

function parseDirective(text: string): { directive: Directive; unknown: string[] } {
  const directive: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [, name, value] of text.matchAll(SETTING)) {
    if ((DIRECTIVE_SETTINGS as readonly string[]).includes(name!)) directive[name!] = (value ?? '').replace(/\\"/g, '"');
    else unknown.push(name!);
  }
  return { directive, unknown };
}

/** The fenced blocks of one page, in order. */
export function snippetsOf(page: string): Snippet[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^##\s+(.*)$/.exec(lines[i]!);
    if (heading) section = heading[1]!;
    const fence = /^(\s*)```\s*([\w-]*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const indent = fence[1]!.length;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i]!.slice(Math.min(indent, /^\s*/.exec(lines[i]!)![0].length)));
    const previous = DIRECTIVE.exec(lines[start - 1] ?? '');
    const { directive, unknown } = previous ? parseDirective(previous[1]!) : { directive: {}, unknown: [] };
    snippets.push({ page, line: start + 1, language: fence[2]!.toLowerCase(), code: `${body.join('\n')}\n`, section, directive, unknown });
  }
  return snippets;
}

/**
 * Safe templating of the message: `{{ github.sha }}`, `{{ github.event.<path> }}`, `{{ env.NAME }}`, `{{ id }}`. In a JSON
 * message a value that lands inside a string literal is JSON-escaped, and one that stands alone becomes a typed
 * JSON value (the event's numbers, booleans and objects as they are; github.run_number and run_attempt as numbers;
 * other github fields, env values and the id as strings), so quotes and newlines in a commit message or a branch
 * name can never break the JSON (the classic failure of splicing `${{ }}` into a JSON literal).
 */
import type { NotificationSource } from '../shared/notification.js';
import { TEMPLATE_FIELDS, type GitHubContext } from './context.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** A placeholder that names no known field: the message's author made a typo. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Where template values come from. */
export interface TemplateScope {
  /** GitHub's context, when running on GitHub; elsewhere `{{ github.<field> }}` reads the run's source fields. */
  github?: GitHubContext;
  source: NotificationSource;
  env: NodeJS.ProcessEnv;
  /** The send's id (`{{ id }}`), so a message of the user's own can carry the identity receivers drop copies by. */
  id: string;
}

/** True when the text holds at least one `{{ … }}` placeholder. */
export const hasPlaceholders = (text: string): boolean => new RegExp(PLACEHOLDER.source).test(text);

/**
 * The text with every placeholder replaced by its raw value (for text messages).
 * @throws TemplateError for an unknown field or an unset variable.
 */
export function renderText(text: string, scope: TemplateScope): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = lookup(name, scope);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/**
 * The JSON text with every placeholder replaced: JSON-escaped inside string literals, a JSON value outside them.
 * @throws TemplateError for an unknown field or an unset variable.
 */
export function renderJson(text: string, scope: TemplateScope): string {
  return substituteJson(text, (name, inString) => {
    const value = lookup(name, scope);
    if (!inString) return JSON.stringify(value);
    return JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1);
  });
}

/**
 * The JSON text with each placeholder replaced by a stand-in of the same length (letters inside strings, `null`
 * outside), so that `JSON.parse` can judge the message, and report positions, before any value is looked up.
 */
export function neutralizeJson(text: string): string {
  return substituteJson(text, (_name, inString, length) => (inString ? 'x'.repeat(length) : 'null'.padEnd(length)));
}

/** Replaces each placeholder, telling the replacer whether it stands inside a JSON string literal. */
function substituteJson(text: string, replace: (name: string, inString: boolean, length: number) => string): string {
  let out = '';
  let scanned = 0;
  let inString = false;
  let escaped = false;
  for (const match of text.matchAll(PLACEHOLDER)) {
    // Placeholders hold no quote or backslash, so the string state only changes in the text between them.
    for (let i = scanned; i < match.index; i++) {
      const char = text[i];
      if (escaped) escaped = false;
      else if (char === '\\') escaped = inString;
      else if (char === '"') inString = !inString;
    }
    out += text.slice(scanned, match.index) + replace(match[1]!, inString, match[0].length);
    scanned = match.index + match[0].length;
  }
  return out + text.slice(scanned);
}

/**
 * The github fields that are counts, so a placeholder standing alone in JSON gives a number (`"run": 7`). The
 * run id stays a string, as the notification keeps it: it outgrows 2^53 one day, and receivers parse JSON numbers
 * as doubles.
 */
const NUMBER_FIELDS = new Set(['run_number', 'run_attempt']);

/** The `{{ github.<name> }}` fields a run outside GitHub still has, from its notification source. */
const SOURCE_FIELDS: Readonly<Record<string, keyof NotificationSource>> = {
  sha: 'sha',
  ref: 'ref',
  ref_name: 'refName',
  repository: 'repository',
  actor: 'actor',
  workflow: 'workflow',
  run_id: 'runId',
  run_url: 'runUrl',
  event_name: 'event',
};

function lookup(name: string, { github, source, env, id }: TemplateScope): unknown {
  if (name === 'id') return id;
  const [root, ...path] = name.split('.');
  if (root === 'env' && path.length === 1) {
    const value = env[path[0]!];
    if (value === undefined)
      throw new TemplateError(`uses {{ ${name} }}, but the variable ${path[0]} is not set (add it to the step's env, or the command's environment)`);
    return value;
  }
  if (root === 'github' && !github && (path[0] === 'event' || (path.length === 1 && Object.hasOwn(TEMPLATE_FIELDS, path[0]!)))) {
    if (path.length === 1 && Object.hasOwn(SOURCE_FIELDS, path[0]!)) return source[SOURCE_FIELDS[path[0]!]!] ?? '';
    throw new TemplateError(
      `uses {{ ${name} }}, which only a GitHub Actions run has (outside one: github.<${Object.keys(SOURCE_FIELDS).join('|')}>, id, env.<NAME>)`,
    );
  }
  if (github && root === 'github' && path[0] === 'event' && path.length > 1) {
    let value: unknown = github.event;
    for (const key of path.slice(1)) {
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (value === undefined) throw new TemplateError(`uses {{ ${name} }}, but the ${github.eventName || 'event'} event has no such field`);
    return value;
  }
  if (github && root === 'github' && path.length === 1 && Object.hasOwn(TEMPLATE_FIELDS, path[0]!)) {
    const value = github[TEMPLATE_FIELDS[path[0]!]!] as string;
    return NUMBER_FIELDS.has(path[0]!) && /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  throw new TemplateError(
    `uses {{ ${name} }}, which is not a template field (known: id, github.<${Object.keys(TEMPLATE_FIELDS).join('|')}>, github.event.<path>, env.<NAME>)`,
  );
}

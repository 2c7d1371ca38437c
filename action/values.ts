/**
 * The inputs' values as the inputs table defines them: each read once from the runner and trimmed, secrets masked
 * first, names the table does not know refused (with the closest known name), then every value checked against
 * its type and the required ones demanded, in table order. config.ts reads typed values from here and checks the
 * rules between inputs.
 */
import { type FrontEnd, type InputDefinition, inputDefinition, inputsOf, ruleOf } from './inputs.js';
import { editDistance } from './editDistance.js';
import { InputError } from './inputError.js';
import type { Runner } from './runner.js';
import { describe } from '../shared/validate.js';

/** The checked values of one run's inputs. */
export class InputValues {
  readonly #texts = new Map<string, string>();

  /** @throws InputError for an unknown name, a value of the wrong type, or a required input left unset */
  constructor(runner: Runner) {
    const known = inputsOf(runner.frontEnd);
    // Secrets first, masked as they are read, so before any other value is read (and anything can be logged).
    for (const input of known.filter((i) => i.secret)) {
      const text = runner.input(input.name).trim();
      this.#texts.set(input.name, text);
      if (text) runner.mask(text);
    }
    // The key inside a connection string on its own too: a parser or a log line may show it apart.
    const key = /(?:^|;)\s*AccessKey\s*=([^;]+)/i.exec(this.text('connection-string'))?.[1]?.trim();
    if (key) runner.mask(key);
    for (const input of known.filter((i) => !i.secret)) this.#texts.set(input.name, runner.input(input.name).trim());
    refuseUnknown(runner.inputNames(), known, runner.frontEnd);
    for (const input of known) {
      const text = this.#texts.get(input.name)!;
      if (input.required && !text) throw new InputError(input.name, 'is required', true);
      if (text) checkType(input, text);
    }
  }

  /** The trimmed value as given, '' when unset. */
  text(name: string): string {
    return this.#texts.get(name) ?? '';
  }

  /** The value, or the table's default when unset. */
  value(name: string): string {
    return this.text(name) || inputDefinition(name).default;
  }

  /** True when the input holds something other than its default (which the Action's runner passes for every input). */
  given(name: string): boolean {
    const text = this.text(name);
    if (!text) return false;
    const input = inputDefinition(name);
    return input.type.kind === 'boolean' ? parseBoolean(text) !== parseBoolean(input.default || 'false') : text !== input.default;
  }

  boolean(name: string): boolean {
    return parseBoolean(this.value(name))!;
  }

  /** A whole number, or a number of seconds; undefined when unset without a default. */
  number(name: string): number | undefined {
    const value = this.value(name);
    return value === '' ? undefined : Number(value);
  }

  /** One of the enum's values. */
  choice<T extends string>(name: string): T {
    return this.value(name) as T;
  }

  /** The items of a list, trimmed, empty ones dropped. */
  list(name: string): string[] {
    return this.value(name)
      .split(/[,\r\n]/)
      .map((item) => item.trim())
      .filter(Boolean);
  }
}

/** Booleans as the runner's YAML 1.2 core schema spells them (what `core.getBooleanInput` accepts). */
function parseBoolean(text: string): boolean | undefined {
  if (['true', 'True', 'TRUE'].includes(text)) return true;
  if (['false', 'False', 'FALSE'].includes(text)) return false;
  return undefined;
}

function checkType(input: InputDefinition, text: string): void {
  const { type } = input;
  const ok =
    type.kind === 'enum'
      ? type.values.includes(text)
      : type.kind === 'boolean'
        ? parseBoolean(text) !== undefined
        : type.kind === 'integer'
          ? /^\d+$/.test(text) && Number(text) >= type.min && Number(text) <= type.max
          : type.kind === 'seconds'
            ? /^\d+(\.\d+)?$/.test(text) && Number(text) >= type.min && Number(text) <= type.max
            : true;
  if (!ok) throw new InputError(input.name, `must be ${ruleOf(input)} (got ${input.secret ? 'a value' : describe(text)})`);
}

/**
 * A name the runner set that the table lacks is a typo in the workflow (the Action's runner sets INPUT_* for every
 * `with:` name, known or not; the validator flags it, but a step runs anyway).
 */
function refuseUnknown(names: readonly string[], known: readonly InputDefinition[], frontEnd: FrontEnd): void {
  const knownNames = known.map((input) => input.name);
  for (const name of names) {
    if (knownNames.includes(name)) continue;
    const closest = closestName(name, knownNames);
    const elsewhere = inputsOf(frontEnd === 'action' ? 'cli' : 'action').some((input) => input.name === name);
    throw new InputError(
      name,
      `is not an input of ${frontEnd === 'action' ? 'this Action' : 'this command'}${elsewhere ? ` (only of the ${frontEnd === 'action' ? 'CLI' : 'Action'})` : ''}: did you mean {${closest}}?`,
    );
  }
}

/** The known name nearest to `name` by edit distance, `_` and `-` read alike (the runner keeps both as given). */
export function closestName(name: string, known: readonly string[]): string {
  const wanted = name.toLowerCase().replace(/_/g, '-');
  let best = known[0]!;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

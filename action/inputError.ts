import { wordMentions, type Mentions } from './inputs.js';

/** How an error message names inputs, so one rule reads right on each front-end. */
export interface InputWording extends Mentions {
  /** The subject of an error sentence: Action `Input 'hub'` / `Inputs 'a' and 'b'`; CLI `--hub` / `--a and --b`. */
  subject(inputs: readonly string[]): string;
  /** An input named inside a sentence: Action `hub`, CLI `--hub`. */
  mention(input: string): string;
  /** Setting an input to a value, as the user writes it: Action `target: group`, CLI `--target group`. */
  setting(input: string, value: string): string;
}

/** The Action's: inputs as a workflow's `with:` names them. */
export const ACTION_WORDING: InputWording = {
  subject: (inputs) => (inputs.length === 1 ? `Input '${inputs[0]}'` : `Inputs ${inputs.map((name) => `'${name}'`).join(' and ')}`),
  mention: (input) => input,
  setting: (input, value) => `${input}: ${value}`,
};

/** The CLI's: inputs as its flags. */
export const CLI_WORDING: InputWording = {
  subject: (inputs) => inputs.map((name) => `--${name}`).join(' and '),
  // The operation is the CLI's command (`webpubsub-action close`), not a flag.
  mention: (input) => (input === 'operation' ? 'the command' : `--${input}`),
  setting: (input, value) => (input === 'operation' ? `the ${value} command` : `--${input} ${value}`),
};

/**
 * A mistake in the workflow or the command line: a missing, malformed or contradictory input. It always fails the
 * step (whatever fail-on-error says) and is found before anything is sent. The message names the input and the
 * rule, and never holds an input's value when that input is a secret. The rule names other inputs as `{name}` and
 * settings as `{name=value}` (see inputs.ts), so `wordedFor` can put it in each front-end's words; `message` is
 * the Action's wording.
 */
export class InputError extends Error {
  /** The inputs at fault (usually one), as named in the inputs table. */
  readonly inputs: readonly string[];
  /** What the input must be, as a sentence that follows the name, with `{name}` mentions. */
  readonly rule: string;
  /** True when the input is absent rather than wrong. */
  readonly missing: boolean;

  /**
   * @param input - the input's name in the inputs table, or several for a conflict between them
   * @param rule - what the input must be, as a sentence that follows the name
   * @param missing - true when the input is absent rather than wrong
   */
  constructor(input: string | readonly string[], rule: string, missing = false) {
    const inputs = typeof input === 'string' ? [input] : input;
    super(wordError(inputs, rule, ACTION_WORDING));
    this.name = 'InputError';
    this.inputs = inputs;
    this.rule = rule;
    this.missing = missing;
  }

  /** The message in a front-end's words. */
  wordedFor(wording: InputWording): string {
    return wordError(this.inputs, this.rule, wording);
  }
}

function wordError(inputs: readonly string[], rule: string, wording: InputWording): string {
  return `${wording.subject(inputs)} ${wordMentions(rule, wording)}`;
}

/** True for an InputError, checked by name like the core client's errors. */
export const isInputError = (error: unknown): error is InputError => (error as Error | undefined)?.name === 'InputError';

/** The input a core-client argument comes from, for the builders' InvalidArgumentErrors. */
const ARGUMENT_INPUTS: Readonly<Record<string, string>> = {
  hub: 'hub',
  group: 'group',
  userId: 'user-id',
  connectionId: 'connection-id',
  messageTtlSeconds: 'message-ttl-seconds',
  excluded: 'excluded',
  filter: 'filter',
  reason: 'reason',
  apiVersion: 'api-version',
  message: 'message',
  content: 'message',
  json: 'message',
};

/**
 * The core client's InvalidArgumentError as an InputError for the input the argument came from (`excluded[2]` is
 * `excluded`); any other error is returned unchanged.
 */
export function asInputError(error: unknown): unknown {
  const { name, argument, message } = (error ?? {}) as { name?: string; argument?: string; message?: string };
  if (name !== 'InvalidArgumentError' || typeof argument !== 'string' || typeof message !== 'string') return error;
  const input = ARGUMENT_INPUTS[argument.replace(/\[\d+\]$/, '')] ?? argument;
  return new InputError(input, ruleFrom(argument, message));
}

/**
 * Runs a core-client check of one input's value: whatever it throws becomes that input's InputError, the rule kept
 * and the value never echoed beyond what the check says.
 */
export function checkInput<T>(input: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const { argument, message } = error as { argument?: string; message: string };
    throw new InputError(input, ruleFrom(argument, message));
  }
}

/** A core-client error's message without the argument's name it starts with: the rule alone. */
function ruleFrom(argument: string | undefined, message: string): string {
  return argument && message.startsWith(`${argument} `) ? message.slice(argument.length + 1) : message;
}

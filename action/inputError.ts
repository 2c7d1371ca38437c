/**
 * A mistake in the workflow: a missing, malformed or contradictory input. It always fails the step (whatever
 * fail-on-error says) and is found before anything is sent. The message names the input and the rule, and never
 * holds an input's value when that input is a secret.
 */
export class InputError extends Error {
  /** The input at fault, as named in action.yml. */
  readonly input: string;

  /**
   * @param input - the input's name in action.yml
   * @param rule - what the input must be, as a sentence that follows the name
   * @param missing - true when the input is absent rather than wrong
   */
  constructor(input: string, rule: string, missing = false) {
    super(`${missing ? 'Missing input!' : 'Invalid input!'} ${input} ${rule}`);
    this.name = 'InputError';
    this.input = input;
  }
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
  return new InputError(input, ruleOf(argument, message));
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
    throw new InputError(input, ruleOf(argument, message));
  }
}

/** A core-client error's message without the argument's name it starts with: the rule alone. */
function ruleOf(argument: string | undefined, message: string): string {
  return argument && message.startsWith(`${argument} `) ? message.slice(argument.length + 1) : message;
}

/**
 * What both providers run inside the Pulumi provider host: turning the core client's validation into check
 * failures, preview's unknown values, JSON-safe results, and ids made of encoded segments.
 *
 * Serialized by value with each provider (see credentials.ts for why): no value imports, no module state.
 */
import type { dynamic } from '@pulumi/pulumi';

/** The value Pulumi puts in inputs during a preview for what is not known yet (`rpc.unknownValue`). */
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** True for preview's unknown value, anywhere inside `value`. */
function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  return false;
}

/**
 * Runs one of the core client's pure request builders as a rule check: the InvalidArgumentError it throws becomes
 * a check failure whose reason names `property` and states the core's rule. Nothing is sent.
 */
function ruleFailure(property: string, check: () => unknown): dynamic.CheckFailure | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    const { name, argument, message } = error as { name?: string; argument?: string; message: string };
    if (name !== 'InvalidArgumentError' || argument === undefined) throw error;
    return { property, reason: `${property} ${message.slice(argument.length + 1)}` };
  }
}

/**
 * Checks an optional list of ids, each by `check(id)`; returns it sorted and without duplicates (so that diffs
 * are stable), the value itself when it is unknown, or `[]` when absent.
 */
function idList(property: string, value: unknown, check: (id: string) => unknown, failures: dynamic.CheckFailure[]): unknown {
  if (value === undefined || value === null) return [];
  if (value === UNKNOWN) return value;
  if (!Array.isArray(value)) {
    failures.push({ property, reason: `${property} must be a list of strings` });
    return value;
  }
  value.forEach((id, i) => {
    if (id === UNKNOWN) return;
    const failure = ruleFailure(`${property}[${i}]`, () => check(id));
    if (failure) failures.push(failure);
  });
  return hasUnknown(value) ? value : [...new Set(value as string[])].sort();
}

/** A failure for each input key the resource does not know (a typo in a YAML or JavaScript program). */
function unknownKeyFailures(inputs: Record<string, unknown>, known: readonly string[]): dynamic.CheckFailure[] {
  return Object.keys(inputs)
    .filter((key) => key !== '__provider' && !known.includes(key) && inputs[key] !== undefined)
    .map((key) => ({ property: key, reason: `${key} is not an input of this resource (inputs: ${known.join(', ')})` }));
}

/**
 * The start of every `check`: the inputs as untyped values (a JavaScript or YAML program has no types, so every
 * value is checked), the failures so far (unknown keys), and `push` for a rule's failure, if any.
 */
function startCheck(inputs: object, known: readonly string[]) {
  const news = inputs as Record<string, unknown>;
  const failures = unknownKeyFailures(news, known);
  const push = (failure: dynamic.CheckFailure | undefined) => void (failure && failures.push(failure));
  return { news, failures, push };
}

/** A copy without `undefined` members: the provider host refuses them ("Unexpected struct type"). */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A 404 from the service. Acts on the status, not the code: codes differ between the service and emulators. */
function isNotFound(error: unknown): boolean {
  const { name, status } = (error ?? {}) as { name?: string; status?: number };
  return name === 'WebPubSubRequestError' && status === 404;
}

/** Why a call failed, in one line fit for an error message (the core's messages hold no secret). */
function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An id made of percent-encoded segments, so any name round-trips through `/`. */
function encodeId(segments: readonly string[]): string {
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}

/**
 * Splits an id into its decoded segments when it has the `shape` (literal segments, and `*` for a value);
 * `undefined` otherwise.
 */
function decodeId(id: string, shape: readonly string[]): string[] | undefined {
  const parts = id.split('/');
  if (parts.length !== shape.length) return undefined;
  const values: string[] = [];
  for (let i = 0; i < shape.length; i++) {
    let part: string;
    try {
      part = decodeURIComponent(parts[i]!);
    } catch {
      return undefined;
    }
    if (shape[i] === '*') {
      if (part === '') return undefined;
      values.push(part);
    } else if (part !== shape[i]) {
      return undefined;
    }
  }
  return values;
}

/** The members of `a` that `b` lacks, in `a`'s order. */
function without(a: readonly string[], b: readonly string[]): string[] {
  const exclude = new Set(b);
  return a.filter((item) => !exclude.has(item));
}

/** Whether two lists hold the same strings (order and repeats aside). */
function sameMembers(a: readonly string[] = [], b: readonly string[] = []): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/** The runtime both providers carry (serialized by value with them). */
export const providerRuntime = {
  UNKNOWN,
  hasUnknown,
  ruleFailure,
  idList,
  startCheck,
  clean,
  isNotFound,
  describeError,
  encodeId,
  decodeId,
  without,
  sameMembers,
};

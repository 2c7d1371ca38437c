/**
 * The notification shape checked by hand, rule for rule as schema/notification.schema.json states it, so the
 * browser module needs no JSON Schema library. test/browser/checkNotification.test.ts holds it to the schema file
 * with ajv on valid and invalid samples: a change to either one fails there until the other follows.
 */
import type { Notification, ReleaseInfo } from '../shared/notification.js';
import { browserGlobals } from './browserGlobals.js';

/**
 * The value of the `schema` field. The same constant as the package root's `NOTIFICATION_SCHEMA`, repeated here
 * because this module imports nothing at run time (a test keeps the two equal).
 */
export const NOTIFICATION_SCHEMA = 'webpubsub-action/notification@1';

/** A deploy notification: `kind` is `deployment` and there is no `release`. */
export type DeployNotification = Notification & { kind: 'deployment'; release?: undefined };

/** A release announcement: `kind` is `release` and `release` is always there. */
export type ReleaseNotification = Notification & { kind: 'release'; release: ReleaseInfo };

/** The outcome of {@link checkNotification}: the notification, or the first rule it breaks. */
export type NotificationCheck = { valid: true; notification: DeployNotification | ReleaseNotification } | { valid: false; reason: string };

/** A rule for one field's value: undefined when it holds, else what is wrong (e.g. `must be a string`). */
type Rule = (value: unknown) => string | undefined;

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}

const string: Rule = (value) => (typeof value === 'string' ? undefined : `must be a string (got ${describe(value)})`);

/** The schema's `pattern`, which JSON Schema reads as an ECMAScript regular expression in unicode mode. */
function matching(pattern: RegExp, what: string): Rule {
  return (value) => string(value) ?? (pattern.test(value as string) ? undefined : `must be ${what}`);
}

/** `format: uri`: an absolute URI, as the platform's URL parser reads it. */
const uri: Rule = (value) => {
  const problem = string(value);
  if (problem) return problem;
  try {
    new browserGlobals.URL(value as string);
    return undefined;
  } catch {
    return 'must be an absolute URL';
  }
};

/** RFC 3339 `date-time`, what JSON Schema's `format: date-time` means. */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const dateTime: Rule = (value) =>
  string(value) ?? (RFC3339.test(value as string) && !Number.isNaN(Date.parse(value as string)) ? undefined : 'must be an RFC 3339 date-time');

const constant =
  (expected: string): Rule =>
  (value) =>
    value === expected ? undefined : `must be "${expected}" (got ${describe(value)})`;

const oneOf =
  (allowed: readonly string[]): Rule =>
  (value) =>
    typeof value === 'string' && allowed.includes(value) ? undefined : `must be one of ${allowed.map((v) => `"${v}"`).join(', ')} (got ${describe(value)})`;

const stringOrNull: Rule = (value) => (value === null ? undefined : string(value) && `must be a string or null (got ${describe(value)})`);
const boolean: Rule = (value) => (typeof value === 'boolean' ? undefined : `must be a boolean (got ${describe(value)})`);
const nonEmptyString: Rule = (value) => string(value) ?? ((value as string).length > 0 ? undefined : 'must not be empty');

/** Every field but `release`, all required; `schema` first, so a message of another kind says so at once. */
const NOTIFICATION_RULES: Readonly<Record<Exclude<keyof Notification, 'release'>, Rule>> = {
  schema: constant(NOTIFICATION_SCHEMA),
  kind: oneOf(['deployment', 'release']),
  repository: matching(/^[^/]+\/[^/]+$/u, 'owner/name'),
  ref: string,
  refName: string,
  sha: matching(/^[0-9a-f]{40}([0-9a-f]{24})?$/u, 'a 40- or 64-digit lower-case hex commit SHA'),
  workflow: string,
  runId: matching(/^[0-9]+$/u, 'digits only'),
  runUrl: uri,
  actor: string,
  environment: stringOrNull,
  event: string,
  timestamp: dateTime,
};

const RELEASE_RULES: Readonly<Record<keyof ReleaseInfo, Rule>> = {
  tag: nonEmptyString,
  name: string,
  url: uri,
  prerelease: boolean,
  notes: string,
};

/** Checks an object against required `rules`, refusing fields outside `allowed` (`additionalProperties: false`). */
function checkObject(value: unknown, rules: Readonly<Record<string, Rule>>, allowed: readonly string[], path: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path || 'the message'} must be an object (got ${describe(value)})`;
  const record = value as Record<string, unknown>;
  for (const [name, rule] of Object.entries(rules)) {
    if (!Object.hasOwn(record, name)) return `${path}${name} is missing`;
    const problem = rule(record[name]);
    if (problem) return `${path}${name} ${problem}`;
  }
  const unknown = Object.keys(record).find((name) => !allowed.includes(name));
  return unknown === undefined ? undefined : `${path}${unknown} is not a field of ${path ? 'a release' : 'a notification'}`;
}

const NOTIFICATION_FIELDS = [...Object.keys(NOTIFICATION_RULES), 'release'];
const RELEASE_FIELDS = Object.keys(RELEASE_RULES);

/**
 * Checks that `value` (a parsed JSON message) is a `webpubsub-action/notification@1` notification: every field
 * present with its type, no other field, and `release` present exactly when `kind` is `release`.
 *
 * @param value - the message's data, as `JSON.parse` gives it
 * @returns `{ valid: true, notification }`, typed by its kind, or `{ valid: false, reason }` naming the first field
 *   that breaks a rule (`sha must be a 40- or 64-digit lower-case hex commit SHA`)
 */
export function checkNotification(value: unknown): NotificationCheck {
  const problem = checkObject(value, NOTIFICATION_RULES, NOTIFICATION_FIELDS, '') ?? checkRelease(value as Notification);
  return problem === undefined ? { valid: true, notification: value as DeployNotification | ReleaseNotification } : { valid: false, reason: problem };
}

/** The schema's if/then/else: a release announcement carries its release, a deploy notification has none. */
function checkRelease(notification: Notification): string | undefined {
  const present = Object.hasOwn(notification, 'release');
  if (notification.kind === 'deployment') return present ? 'release must be absent when kind is "deployment"' : undefined;
  if (!present) return 'release is missing (kind "release" carries its release)';
  return checkObject(notification.release, RELEASE_RULES, RELEASE_FIELDS, 'release.');
}

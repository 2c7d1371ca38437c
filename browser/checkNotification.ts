/**
 * The notification shapes checked by hand, rule for rule as schema/notification.schema.json (@2) and
 * schema/notification-v1.schema.json (@1, deprecated) state them, so the browser module needs no JSON Schema
 * library. test/browser/checkNotification.test.ts holds it to both schema files with ajv on valid and invalid
 * samples: a change to either side fails there until the other follows.
 */
import type { Notification, NotificationV1, ReleaseInfo } from '../shared/notification.js';
import { browserGlobals } from './browserGlobals.js';

/**
 * The `schema` values this module accepts: the current shape and the deprecated first one. The same constants as
 * the package root's, repeated here because this module imports nothing at run time (a test keeps them equal).
 */
export const NOTIFICATION_SCHEMA = 'webpubsub-action/notification@2';
export const NOTIFICATION_SCHEMA_V1 = 'webpubsub-action/notification@1';

/** Either shape: `@2`, or the deprecated `@1` (no `id`, no `ci`). Tell them apart by `schema`. */
type AnyNotification = Notification | NotificationV1;

/** A deploy notification: `kind` is `deployment` and there is no `release`. */
export type DeployNotification = AnyNotification & { kind: 'deployment'; release?: undefined };

/** A release announcement: `kind` is `release` and `release` is always there. */
export type ReleaseNotification = AnyNotification & { kind: 'release'; release: ReleaseInfo };

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

const SHA = matching(/^[0-9a-f]{40}([0-9a-f]{24})?$/u, 'a 40- or 64-digit lower-case hex commit SHA');

/** `@2`: every field but `release`, all required, in the schema's order; `schema` first, so a message of another kind says so at once. */
const NOTIFICATION_RULES: Readonly<Record<Exclude<keyof Notification, 'release'>, Rule>> = {
  schema: constant(NOTIFICATION_SCHEMA),
  id: matching(/^[\x21-\x7e]{1,128}$/u, '1 to 128 printable ASCII characters without spaces'),
  kind: oneOf(['deployment', 'release']),
  ci: oneOf(['github-actions', 'gitlab-ci', 'azure-pipelines', 'jenkins', 'local']),
  repository: nonEmptyString,
  ref: string,
  refName: string,
  sha: SHA,
  workflow: string,
  runId: nonEmptyString,
  runUrl: (value) => (value === null ? undefined : uri(value) && `must be an absolute URL or null (got ${describe(value)})`),
  actor: string,
  environment: stringOrNull,
  event: string,
  timestamp: dateTime,
};

/** `@1`, deprecated and frozen: GitHub-shaped run fields, no `id`, no `ci`. */
const NOTIFICATION_V1_RULES: Readonly<Record<Exclude<keyof NotificationV1, 'release'>, Rule>> = {
  schema: constant(NOTIFICATION_SCHEMA_V1),
  kind: oneOf(['deployment', 'release']),
  repository: matching(/^[^/]+\/[^/]+$/u, 'owner/name'),
  ref: string,
  refName: string,
  sha: SHA,
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

const SHAPES = {
  [NOTIFICATION_SCHEMA]: { rules: NOTIFICATION_RULES, fields: [...Object.keys(NOTIFICATION_RULES), 'release'] },
  [NOTIFICATION_SCHEMA_V1]: { rules: NOTIFICATION_V1_RULES, fields: [...Object.keys(NOTIFICATION_V1_RULES), 'release'] },
} as const;
const RELEASE_FIELDS = Object.keys(RELEASE_RULES);

/**
 * Checks that `value` (a parsed JSON message) is a notification of either shape, `webpubsub-action/notification@2`
 * or the deprecated `@1`: every field of its shape present with its type, no other field, and `release` present
 * exactly when `kind` is `release`.
 *
 * @param value - the message's data, as `JSON.parse` gives it
 * @returns `{ valid: true, notification }`, typed by its kind, or `{ valid: false, reason }` naming the first field
 *   that breaks a rule (`sha must be a 40- or 64-digit lower-case hex commit SHA`)
 */
export function checkNotification(value: unknown): NotificationCheck {
  const problem = checkShape(value) ?? checkRelease(value as AnyNotification);
  return problem === undefined ? { valid: true, notification: value as DeployNotification | ReleaseNotification } : { valid: false, reason: problem };
}

/** The rules of the shape that the message's `schema` names. */
function checkShape(value: unknown): string | undefined {
  const schema = typeof value === 'object' && value !== null ? (value as { schema?: unknown }).schema : undefined;
  if (typeof schema === 'string' && Object.hasOwn(SHAPES, schema)) {
    const shape = SHAPES[schema as keyof typeof SHAPES];
    return checkObject(value, shape.rules, shape.fields, '');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return checkObject(value, {}, [], '');
  return Object.hasOwn(value, 'schema')
    ? `schema must be "${NOTIFICATION_SCHEMA}" or "${NOTIFICATION_SCHEMA_V1}" (got ${describe(schema)})`
    : 'schema is missing';
}

/** The schema's if/then/else: a release announcement carries its release, a deploy notification has none. */
function checkRelease(notification: AnyNotification): string | undefined {
  const present = Object.hasOwn(notification, 'release');
  if (notification.kind === 'deployment') return present ? 'release must be absent when kind is "deployment"' : undefined;
  if (!present) return 'release is missing (kind "release" carries its release)';
  return checkObject(notification.release, RELEASE_RULES, RELEASE_FIELDS, 'release.');
}

/**
 * schema/notification.schema.json (@2) and schema/notification-v1.schema.json (@1, deprecated) compiled by ajv: the
 * references the default payloads and the browser module's hand-written check are held to. ajv knows no formats by
 * itself; the two the schemas use are defined here as the JSON Schema spec reads them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROOT } from '../../scripts/harness/actionRunner.js';

/** The parts of the schema file the tests read. */
interface NotificationSchemaFile {
  required: string[];
  properties: Record<string, { type?: unknown }> & { schema: { type?: unknown; const: string }; release: { type?: unknown; required: string[] } };
}

const readSchema = (file: string) => JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8')) as NotificationSchemaFile;
/** The schema file of the current shape (@2), parsed. */
export const notificationSchema = readSchema('notification.schema.json');
/** The schema file of the deprecated first shape (@1), parsed. */
export const notificationSchemaV1 = readSchema('notification-v1.schema.json');

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
ajv.addFormat('uri', (value: string) => URL.canParse(value));
// RFC 3339 §5.6 date-time, with a date that exists.
ajv.addFormat(
  'date-time',
  (value: string) => /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)),
);
/** Validates against schema/notification.schema.json (@2). */
export const validateNotification = ajv.compile(notificationSchema);
/** Validates against schema/notification-v1.schema.json (@1). */
export const validateNotificationV1 = ajv.compile(notificationSchemaV1);

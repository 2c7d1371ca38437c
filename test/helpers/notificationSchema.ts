/**
 * schema/notification.schema.json compiled by ajv: the reference the default payloads and the browser module's
 * hand-written check are held to. ajv knows no formats by itself; the two the schema uses are defined here as the
 * JSON Schema spec reads them.
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

/** The schema file, parsed. */
export const notificationSchema = JSON.parse(readFileSync(join(ROOT, 'schema/notification.schema.json'), 'utf8')) as NotificationSchemaFile;

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
ajv.addFormat('uri', (value: string) => URL.canParse(value));
// RFC 3339 §5.6 date-time, with a date that exists.
ajv.addFormat(
  'date-time',
  (value: string) => /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)),
);
/** Validates against schema/notification.schema.json. */
export const validateNotification = ajv.compile(notificationSchema);

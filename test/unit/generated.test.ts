/**
 * The files generated from the inputs and outputs tables (action/inputs.ts, action/outputs.ts) are what
 * `npm run generate` writes now: action.yml's inputs and outputs, and the tables of docs/action.md and docs/cli.md.
 * And the tables themselves hold together: every mention names a known input, every secret has its CLI variable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { INPUT_GROUPS, INPUTS, inputsOf } from '../../action/inputs.js';
import { OUTPUTS } from '../../action/outputs.js';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { generatedFiles } from '../../scripts/inputDocs.js';

describe('the generated files are up to date (run npm run generate)', () => {
  test.each(Object.entries(generatedFiles(ROOT)))('%s', (file, expected) => {
    expect(readFileSync(join(ROOT, file), 'utf8')).toBe(expected);
  });
});

describe('the tables', () => {
  test("action.yml declares exactly the table's Action inputs, with the table's defaults, and its outputs", () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string; required: boolean }>;
      outputs: Record<string, unknown>;
    };
    const inputs = inputsOf('action');
    expect(Object.keys(action.inputs)).toEqual(inputs.map((input) => input.name));
    for (const input of inputs) {
      expect([input.name, action.inputs[input.name]]).toEqual([
        input.name,
        input.required
          ? { description: expect.any(String), required: true }
          : expect.objectContaining({ default: input.frontEndDefault?.action ?? input.default }),
      ]);
    }
    expect(Object.keys(action.outputs)).toEqual(OUTPUTS.map((output) => output.name));
  });

  test('every {mention} in a description, rule or group title names an input of the table', () => {
    const names = new Set(INPUTS.map((input) => input.name));
    const texts = [
      ...INPUTS.flatMap((input) => [input.description, input.rule ?? '']),
      ...OUTPUTS.map((output) => output.description),
      ...Object.values(INPUT_GROUPS),
    ];
    for (const text of texts) {
      for (const [, name] of text.matchAll(/(?<!\{)\{([a-z][a-z0-9-]*)(?:=[^{}]*)?\}(?!\})/g)) expect([text, names.has(name!)]).toEqual([text, true]);
    }
  });

  test('secrets, and only secrets, have a CLI environment variable and a -file flag', () => {
    for (const input of INPUTS) {
      expect([input.name, Boolean(input.envVar), Boolean(input.file)]).toEqual([input.name, input.secret, input.secret]);
    }
    expect(INPUTS.filter((input) => input.secret).map((input) => input.envVar)).toEqual([
      'WEBPUBSUB_CONNECTION_STRING',
      'WEBPUBSUB_ACCESS_KEY',
      'AZURE_CLIENT_SECRET',
      'GITHUB_TOKEN',
    ]);
  });
});

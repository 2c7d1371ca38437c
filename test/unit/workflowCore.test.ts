/**
 * The Action's workflow commands (action/workflowCore.ts) write what `@actions/core` writes: the same stdout
 * commands and the same lines in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, byte for byte (the random output delimiter
 * aside), and read inputs by the same rules.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import * as actionsCore from '@actions/core';
import type { ActionCore } from '../../action/core.js';
import { workflowCore } from '../../action/workflowCore.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  process.exitCode = undefined;
});

/** What `drive` makes `core` write: stdout, the output file and the summary file, and the exit code. */
async function written(core: ActionCore, drive: (core: ActionCore) => Promise<void> | void) {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-core-'));
  const [output, summary] = [join(dir, 'output'), join(dir, 'summary')];
  writeFileSync(output, '');
  writeFileSync(summary, '');
  Object.assign(process.env, { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary });
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await drive(core);
  } finally {
    process.stdout.write = write;
  }
  const delimiters = (text: string) => text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_<uuid>');
  const result = { stdout, output: delimiters(readFileSync(output, 'utf8')), summary: readFileSync(summary, 'utf8'), exitCode: process.exitCode };
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const real = actionsCore as unknown as ActionCore;

describe('workflowCore', () => {
  test('commands, outputs and the summary are written as @actions/core writes them', async () => {
    const drive = async (core: ActionCore) => {
      core.setSecret('s3cr%t\nkey');
      core.info('plain line');
      core.debug('debug: 100%\r\n');
      core.warning('a warning, with: punctuation');
      core.setOutput('url', 'https://example.com/a?b=c');
      core.setOutput('json', { a: [1, 2] } as unknown as string);
      core.setOutput('empty', '');
      core.setOutput('lines', 'one\ntwo');
      core.setFailed("Input 'hub' must start with a letter\nsecond line");
      await core.summary.addRaw('## Sent\n| a | b |', true).write();
      await core.summary.addRaw('more').write();
    };
    const ours = await written(workflowCore(), drive);
    expect(ours).toEqual(await written(real, drive));
    expect(ours.stdout).toContain('::add-mask::s3cr%25t%0Akey');
    expect(ours.stdout).toContain("::error::Input 'hub' must start with a letter%0Asecond line");
    expect(ours.output).toContain('lines<<ghadelimiter_<uuid>\none\ntwo\nghadelimiter_<uuid>\n');
    expect(ours.summary).toBe('## Sent\n| a | b |\nmore');
    expect(ours.exitCode).toBe(1);
  });

  test('inputs are read by the same rules: spaces as underscores, upper-cased, trimmed unless asked not to', () => {
    Object.assign(process.env, { 'INPUT_CONNECTION-STRING': '  Endpoint=x  ', INPUT_MY_INPUT: ' v ', INPUT_EMPTY: '' });
    const ours = workflowCore();
    for (const [name, options] of [
      ['connection-string', undefined],
      ['my input', undefined],
      ['my input', { trimWhitespace: false }],
      ['missing', undefined],
    ] as const) {
      expect(ours.getInput(name, options)).toBe(actionsCore.getInput(name, options));
    }
    expect(() => ours.getInput('empty', { required: true })).toThrow(
      (() => {
        try {
          actionsCore.getInput('empty', { required: true });
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      })(),
    );
    process.env.RUNNER_DEBUG = '1';
    expect(ours.isDebug()).toBe(actionsCore.isDebug());
  });
});

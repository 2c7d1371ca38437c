/**
 * Headless Chromium for the suites that open pages: Debian's `chromium` (or PUPPETEER_EXECUTABLE_PATH), driven by
 * puppeteer-core with exactly the flags a machine without network needs. Without a browser, a suite is one skipped
 * test whose name says how to get one: it never passes in silence.
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from '@jest/globals';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * The flags that work on a machine with no network: without the background-networking ones, Chromium's own
 * outgoing connections (updates, sync, field trials) are refused by the closed network, many at a time.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const INSTALL =
  "install Debian's package (apt-get install -y chromium; .ci/run does it when it can) or set PUPPETEER_EXECUTABLE_PATH to a Chromium or Chrome binary";

/** PUPPETEER_EXECUTABLE_PATH, else `chromium` or `chromium-browser` on the PATH. */
export function findChromium(): string | undefined {
  const candidates = process.env.PUPPETEER_EXECUTABLE_PATH
    ? [process.env.PUPPETEER_EXECUTABLE_PATH]
    : (process.env.PATH ?? '').split(delimiter).flatMap((dir) => ['chromium', 'chromium-browser'].map((name) => join(dir, name)));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs `suite` with Chromium's path, or registers one skipped test (and says so on stderr) when there is none. */
export function describeWithChromium(what: string, suite: (executablePath: string) => void): void {
  const chromium = findChromium();
  if (chromium !== undefined) {
    suite(chromium);
    return;
  }
  const why = `${what} is SKIPPED: no Chromium found. To run it, ${INSTALL}.`;
  // Straight to stderr: Jest leaves out the console output of a file whose tests were all skipped.
  process.stderr.write(`\n${why}\n\n`);
  test.skip(why, () => undefined);
}

/** A headless browser with a profile of its own; `close()` removes the profile too. */
export async function launchChromium(executablePath: string): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'wps-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    // Exactly these flags, not puppeteer's defaults: it adds only the debugging pipe.
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, 'about:blank'],
    pipe: true,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The receiving end's guarantee, proven in real Chromium under faults. Five pages listen to one hub while two
 * senders run side by side, the bundled Action (run as the runner runs it, one step after another) and the core
 * client, and every page's connection is dropped abruptly, made half-open, taken offline, closed by the REST API in
 * waves and taken offline past the service's recovery window. Then, per page: nothing arrived twice; each sender's
 * notifications arrived in send order; every notification arrived unless it was sent while one of that page's
 * unrecoverable faults lasted (from the fault to the new connection), and each such fault (and only such a fault)
 * was reported by one onGap. Before the faults, a send whose response the emulator loses is retried by the
 * Action with the same id: every page hears it once.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Browser, Page } from 'puppeteer-core';
import { PUSH, runAction } from '../../scripts/harness/actionRunner.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import type { Notification } from '../../shared/notification.js';
import { describeWithChromium, launchChromium } from '../helpers/chromium.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import type { Listening } from '../helpers/loopbackServer.js';
import { serveReceivingPage, type PageRecord, type PageTiming } from './receivingPage.js';

const PAGES = 5;
/** The service keeps a dropped connection this long; the long offline fault outlasts it. */
const RECOVERY_WINDOW_MS = 2000;
const LONG_OFFLINE_MS = RECOVERY_WINDOW_MS + 700;
/** How much earlier than an onGap's `since` (the page's clock at the last frame) the service's close may be. */
const NETWORK_DELAY_MS = 1000;
/** Fast keep-alive and retries: a half-open socket is noticed within about a second. */
const TIMING: PageTiming = { keepAlive: { pingIntervalMs: 300, pongTimeoutMs: 500 }, backoff: { initialDelayMs: 100, maxDelayMs: 400 } };
/** The recoverable faults each page gets, one after the other (rotated per page so they overlap across pages). */
const RECOVERABLE = ['drop', 'halfOpen', 'offline', 'drop', 'halfOpen', 'offline'] as const;

/** A notification a sender sent, with when its send began and ended (test clock = page clock). */
interface Sent {
  id: string;
  sender: 'action' | 'core';
  /** Its place in its sender's sequence. */
  index: number;
  began: number;
  ended: number;
}

/** A fault after which the connection cannot be recovered: from `began` until the page's next new connection. */
interface Unrecoverable {
  page: number;
  began: number;
}

describeWithChromium('The receiving end under faults (five pages in headless Chromium)', suite);

function suite(executablePath: string): void {
  const scope = useEmulator({ recoveryWindowMs: RECOVERY_WINDOW_MS });
  let browser: Browser;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    chromium = await launchChromium(executablePath);
    browser = chromium.browser;
  }, 60_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await chromium?.close();
  });

  test('≥300 notifications from the Action and the core client, ≥30 faults on 5 pages: exactly once and in order within the recovery window, onGap beyond it', async () => {
    const hub = uniqueName('hub');
    const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
    closers.push(() => service.close());
    const server: Listening = await serveReceivingPage(async () => (await service.getClientAccessToken()).url, TIMING);
    closers.push(() => server.close());
    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i++) {
      const page = await browser.newPage();
      closers.push(() => page.close());
      page.setDefaultTimeout(20_000);
      await page.goto(`${server.url}/`);
      pages.push(page);
    }
    const record = (page: Page) => page.evaluate(() => (globalThis as unknown as { receiving: PageRecord }).receiving);
    /** The page's connection id once it is connected (its last callback was onConnected). */
    const connectedId = async (page: Page): Promise<string> => {
      let id: string | undefined;
      await poll(async () => {
        const { connected, disconnected } = await record(page);
        const last = connected.at(-1);
        id = last && (disconnected.at(-1)?.at ?? 0) <= last.at ? last.connectionId : undefined;
        return id !== undefined && scope.emulator.connections(hub).some((c) => c.connectionId === id && c.state === 'open');
      }, 'the page connected').catch(async (error: Error) => {
        const { connected, disconnected, gaps } = await record(page);
        const states = scope.emulator.connections(hub).map((c) => `${c.connectionId.slice(0, 6)}:${c.state}`);
        throw new Error(
          `${error.message}; last callbacks ${JSON.stringify({ connected: connected.slice(-3), disconnected: disconnected.slice(-3), gaps })}; emulator ${states}`,
        );
      });
      return id!;
    };
    for (const page of pages) await connectedId(page);

    const inputs = { 'connection-string': scope.emulator.connectionString, hub };
    const sent: Sent[] = [];

    // A send whose response is lost: the emulator delivers it, then resets instead of answering; the Action retries.
    scope.emulator.setFaults({ rate: 1, kinds: ['lostResponse'], maxFaults: 1 });
    const lost = await runAction({ event: PUSH, inputs: { ...inputs, id: 'lost-response' } });
    const lostResponses = scope.emulator.faultsInjected;
    scope.emulator.setFaults(undefined);
    expect(lost.code).toBe(0);
    expect(lostResponses).toBe(1);
    expect(JSON.parse(lost.outputs.payload!).id).toBe('lost-response');

    // The two senders, until the faults are over.
    let sending = true;
    const template = JSON.parse(lost.outputs.payload!) as Notification;
    const coreSender = (async () => {
      for (let index = 0; sending || index < 300; index++) {
        const id = `core-${index}`;
        const began = Date.now();
        await service.sendToAll({ ...template, id });
        sent.push({ id, sender: 'core', index, began, ended: Date.now() });
        await sleep(15);
      }
    })();
    const actionSender = (async () => {
      for (let index = 0; sending || index < 20; index++) {
        const id = `action-${index}`;
        const began = Date.now();
        const run = await runAction({ event: PUSH, inputs: { ...inputs, id } });
        expect(run.code).toBe(0);
        sent.push({ id, sender: 'action', index, began, ended: Date.now() });
      }
    })();

    const unrecoverable: Unrecoverable[] = [];
    let faults = 0;
    /** Resolves once the page has a connection it made (or recovered) after `since`. */
    const backAfter = (page: Page, since: number) =>
      poll(async () => (await record(page)).connected.some((c) => c.at >= since), 'the page came back after its fault');
    /**
     * One fault on one page, once it is connected; resolves when the page is back (an offline blip may need no
     * reconnect: its socket only stalls). Faults on one page never overlap: a fault that strikes a connection still
     * silent from the one before loses what the silence held, which no window can be drawn around.
     */
    const strike = async (p: number, kind: (typeof RECOVERABLE)[number] | 'close' | 'longOffline') => {
      const page = pages[p]!;
      const connectionId = await connectedId(page);
      faults++;
      const began = Date.now();
      switch (kind) {
        case 'drop':
          scope.emulator.dropConnection(connectionId);
          await backAfter(page, began);
          break;
        case 'halfOpen':
          scope.emulator.halfOpenConnection(connectionId);
          await backAfter(page, began);
          break;
        case 'offline':
          await page.setOfflineMode(true);
          await sleep(400);
          await page.setOfflineMode(false);
          break;
        case 'longOffline':
          // The network goes, and the service notices: its recovery window runs out while the page is offline.
          unrecoverable.push({ page: p, began });
          await page.setOfflineMode(true);
          scope.emulator.dropConnection(connectionId);
          await sleep(LONG_OFFLINE_MS);
          await page.setOfflineMode(false);
          await backAfter(page, began);
          break;
        case 'close':
          unrecoverable.push({ page: p, began });
          await service.closeConnection(connectionId, { reason: 'wave' });
          await backAfter(page, began);
          break;
      }
    };

    // Phase 1: the recoverable faults, every page at once, each page one fault after another.
    const phase1Began = Date.now();
    await Promise.all(
      pages.map(async (_page, p) => {
        // At least one round of every kind, and on until 150 notifications were sent meanwhile (however slow the machine).
        for (let k = 0; k < RECOVERABLE.length || sent.filter((s) => s.began >= phase1Began).length < 150; k++) {
          await strike(p, RECOVERABLE[(k + p) % RECOVERABLE.length]!);
          await sleep(150);
        }
      }),
    );
    const phase1Ended = Date.now();
    const phase1Faults = faults;
    // Phase 2: the REST API closes every page's connection in a wave, the pages go offline past the window, and
    // another wave.
    await Promise.all(pages.map((_page, p) => strike(p, 'close')));
    await Promise.all(pages.map((_page, p) => strike(p, 'longOffline')));
    await Promise.all(pages.map((_page, p) => strike(p, 'close')));
    for (const page of pages) await connectedId(page);
    sending = false;
    await Promise.all([coreSender, actionSender]);

    // A last notification to every page: once each has it, everything sent before it has arrived or never will.
    await service.sendToAll({ ...template, id: 'fence' });
    await Promise.all(pages.map((page) => poll(async () => (await record(page)).received.includes('fence'), 'the fence on every page')));

    expect(faults).toBeGreaterThanOrEqual(30);
    // Within the window: what was sent while only recoverable faults struck (every one of it must arrive, below).
    const duringRecoverable = sent.filter((s) => s.began >= phase1Began && s.ended <= phase1Ended);
    expect(duringRecoverable.length).toBeGreaterThanOrEqual(140);
    expect(sent.length).toBeGreaterThanOrEqual(300);
    expect(sent.filter((s) => s.sender === 'action').length).toBeGreaterThanOrEqual(20);
    const report: string[] = [];
    for (const [p, page] of pages.entries()) {
      const { received, connected, gaps } = await record(page);
      const mine = unrecoverable.filter((fault) => fault.page === p);
      /** A fault's span: from the fault to the page's next new (not recovered) connection. */
      const spans = mine.map(({ began }) => ({ began, ended: connected.find((c) => !c.recovered && c.at >= began)?.at ?? Infinity }));
      // Missing is allowed only inside one of this page's unrecoverable faults, and inside an onGap's report of it
      // (sent at most a network delay before the lost connection's last frame, or after it, and before the new
      // connection was up): the documented contract.
      const mayMiss = (s: Sent) =>
        spans.some((span) => s.ended >= span.began && s.began <= span.ended) &&
        gaps.some((gap) => s.ended >= gap.since - NETWORK_DELAY_MS && s.began <= gap.at);
      const got = new Set(received);
      const duplicated = received.filter((id, i) => received.indexOf(id) !== i);
      const missing = sent.filter((s) => !got.has(s.id));
      const unexcused = missing.filter((s) => !mayMiss(s)).map((s) => s.id);
      const outOfOrder = (['action', 'core'] as const).filter((sender) => {
        const order = received.filter((id) => id.startsWith(`${sender}-`)).map((id) => Number(id.slice(sender.length + 1)));
        return order.some((n, i) => i > 0 && n <= order[i - 1]!);
      });
      if (unexcused.length > 0) {
        const { disconnected } = await record(page);
        const first = sent.find((s) => s.id === unexcused[0])!;
        process.stderr.write(
          `page ${p} missed ${unexcused.join(' ')} (first sent ${first.began}-${first.ended})\n${JSON.stringify({ connected, disconnected, gaps, spans })}\n`,
        );
      }
      report.push(`page ${p}: ${received.length} received, ${missing.length} missed inside its ${mine.length} unrecoverable faults, ${gaps.length} onGap`);
      expect({ page: p, duplicated, unexcused, outOfOrder, lostResponse: received.filter((id) => id === 'lost-response').length }).toEqual({
        page: p,
        duplicated: [],
        unexcused: [],
        outOfOrder: [],
        lostResponse: 1,
      });
      // One onGap per unrecoverable fault, none for the recoverable ones; each after its fault.
      expect(gaps.length).toBe(mine.length);
      for (const [i, gap] of gaps.entries()) expect(gap.at).toBeGreaterThanOrEqual(mine[i]!.began);
    }
    process.stderr.write(
      `receiving under faults: ${sent.length} notifications (${sent.filter((s) => s.sender === 'action').length} by the Action), ${faults} faults; ` +
        `${duringRecoverable.length} sent during the ${phase1Faults} recoverable faults (drops, half-open, offline), all delivered once\n${report.join('\n')}\n`,
    );
  }, 150_000);
}

/** Waits for `condition`, checking every 50 ms (each check is a round trip to a page). */
async function poll(condition: () => Promise<boolean>, what: string, waitMs = 15_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${waitMs} ms`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

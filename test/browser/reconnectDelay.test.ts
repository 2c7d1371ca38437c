/** The reconnect backoff: a doubling ceiling, capped, with the wait drawn between half and all of it. */
import { expect, test } from '@jest/globals';
import { DEFAULT_BACKOFF, reconnectDelay } from '../../browser/reconnectDelay.js';

const lowest = () => 0;
const highest = () => 1 - Number.EPSILON;

test('the first retry waits between half and all of the initial delay', () => {
  expect([reconnectDelay(0, DEFAULT_BACKOFF, lowest), reconnectDelay(0, DEFAULT_BACKOFF, highest)]).toEqual([500, 1000]);
});

test('the ceiling doubles with each failure in a row, up to the maximum', () => {
  const ceilings = [0, 1, 2, 3, 4, 5, 6].map((failures) => reconnectDelay(failures, DEFAULT_BACKOFF, highest));
  expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  expect(reconnectDelay(6, DEFAULT_BACKOFF, lowest)).toBe(15000);
});

test('stays a bounded number however long the outage, even with no initial delay', () => {
  expect(reconnectDelay(10_000, DEFAULT_BACKOFF, highest)).toBe(30000);
  expect(reconnectDelay(10_000, { initialDelayMs: 0, maxDelayMs: 30000 }, highest)).toBe(0);
});

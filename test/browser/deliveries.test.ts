/**
 * What the listener delivered, in memory it bounds: replays are refused by sequence id, a sender's retries by
 * notification id among the last ids, and the ack is due only for what arrived since the last one.
 */
import { expect, test } from '@jest/globals';
import { Deliveries } from '../../browser/deliveries.js';

test('a sequence id that arrived already is a replay; a new connection numbers from 1 again', () => {
  const deliveries = new Deliveries(10);
  expect([1, 2, 3].map((id) => deliveries.firstArrival(id))).toEqual([true, true, true]);
  expect([2, 3, 4].map((id) => deliveries.firstArrival(id))).toEqual([false, false, true]);
  deliveries.newConnection();
  expect(deliveries.firstArrival(1)).toBe(true);
  expect(deliveries.firstArrival(undefined)).toBe(true);
});

test('a notification id is delivered once among the last `capacity`; past them the oldest is forgotten', () => {
  const deliveries = new Deliveries(1000);
  for (let i = 0; i < 1000; i++) expect(deliveries.firstDelivery(`n-${i}`)).toBe(true);
  expect(deliveries.firstDelivery('n-0')).toBe(false);
  expect(deliveries.firstDelivery('n-1000')).toBe(true);
  // n-0 was the oldest when n-1000 came: it is forgotten, n-1 is still remembered.
  expect(deliveries.firstDelivery('n-1')).toBe(false);
  expect(deliveries.firstDelivery('n-0')).toBe(true);
});

test('the ack is due for the highest sequence id since the last ack, and again after a recovery', () => {
  const deliveries = new Deliveries(10);
  expect(deliveries.ackDue()).toBeUndefined();
  for (const id of [1, 2, 3]) deliveries.firstArrival(id);
  expect([deliveries.unacknowledged, deliveries.ackDue()]).toEqual([3, 3]);
  deliveries.acknowledged(3);
  expect(deliveries.ackDue()).toBeUndefined();
  deliveries.recovered();
  expect(deliveries.ackDue()).toBe(3);
});

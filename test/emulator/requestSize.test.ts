/**
 * Long request URLs and headers: a valid 100-clause OData filter (about 7 KB in the URL, and again in the token's
 * `aud`) gets past Node's default 16 KiB head limit, so the filter's own limit is what refuses a longer one.
 */
import { describe, expect, test } from '@jest/globals';
import { request } from 'undici';
import { MAX_REQUEST_HEAD_BYTES } from '../../emulator/emulator.js';
import { signJwt } from '../../shared/tokens.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';

const KEY = 'request-size-test-key';
const env = useEmulator({ accessKey: KEY });
let fixture: HubFixture;

/** `userId eq '…'` clauses joined by `or`: long ids, as a release pipeline's allow-list would have. */
const filterOf = (clauses: number) =>
  Array.from({ length: clauses }, (_, i) => `userId eq 'member-of-the-release-train-in-west-europe-${String(i).padStart(3, '0')}'`).join(' or ');

/** As a URL parser sends a query value: encodeURIComponent, plus `'` (so the token's aud matches what is sent). */
const queryValue = (value: string) => encodeURIComponent(value).replace(/'/g, '%27');

/** A raw HTTP POST signed as the service expects (aud = the URL as sent), with extra headers. */
async function rawSend(path: string, headers: Record<string, string> = {}) {
  const token = await signJwt(KEY, {}, { audience: env.emulator.endpoint + path, lifetimeSeconds: 60 });
  const response = await request(env.emulator.endpoint + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', ...headers },
    body: 'release',
  });
  const body = await response.body.text();
  return { status: response.statusCode, code: response.headers['x-ms-error-code'], body };
}

describe('a 100-clause filter', () => {
  test('through our core client: accepted, and it selects exactly the matching connection', async () => {
    fixture = env.fixture();
    const member = await fixture.connect({ userId: 'member-of-the-release-train-in-west-europe-099' });
    const outsider = await fixture.connect({ userId: 'someone-else' });
    const filter = filterOf(100);
    expect(queryValue(filter).length).toBeGreaterThan(7000);

    await fixture.client.sendToAll('only the train', { contentType: 'text/plain', filter });
    await fixture.client.sendToAll('everyone', { contentType: 'text/plain' });
    expect((await member.socket.json()).data).toBe('only the train');
    expect((await outsider.socket.json()).data).toBe('everyone');
  });

  test('through raw HTTP: 202; with 101 clauses the filter limit answers 400 Error.BadRequest, target filter', async () => {
    fixture = env.fixture();
    const path = (clauses: number) => `/api/hubs/${fixture.hub}/:send?api-version=2024-12-01&filter=${queryValue(filterOf(clauses))}`;
    expect((await rawSend(path(100))).status).toBe(202);

    const refused = await rawSend(path(101));
    expect([refused.status, refused.code]).toEqual([400, 'Error.BadRequest']);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'Error.BadRequest', target: 'filter', message: expect.stringContaining('more than 100 clauses') });
  });
});

describe('the request head', () => {
  test('a 64 KiB URL and a 64 KiB header are accepted', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect({ userId: 'long' });
    // One clause with a long literal: the URL is 64 KiB, and the token carries it again in its aud.
    const filter = `userId eq 'long' or userId eq '${'x'.repeat(64 * 1024)}'`;
    const path = `/api/hubs/${fixture.hub}/:send?api-version=2024-12-01&filter=${queryValue(filter)}`;
    expect(path.length).toBeGreaterThan(64 * 1024);
    expect((await rawSend(path, { 'x-padding': 'p'.repeat(64 * 1024) })).status).toBe(202);
    expect((await socket.json()).data).toBe('release');
  });

  test(`beyond ${MAX_REQUEST_HEAD_BYTES / 1024} KiB Node answers 431, and the emulator keeps serving`, async () => {
    fixture = env.fixture();
    const path = `/api/hubs/${fixture.hub}/:send?api-version=2024-12-01`;
    expect((await rawSend(path, { 'x-padding': 'p'.repeat(MAX_REQUEST_HEAD_BYTES) })).status).toBe(431);
    expect((await rawSend(path)).status).toBe(202);
  });
});

/**
 * Microsoft Entra through GitHub OIDC, end to end through the bundle: loopback servers speak the real protocols
 * of the runner's token endpoint and of Entra's token endpoint (the exact query and form body are asserted), and
 * the emulator, in its opt-in Entra mode, accepts the resulting bearer token.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runAction } from '../../scripts/harness/actionRunner.js';
import { startCaptureServer, type CaptureServer, type Reply } from '../helpers/captureServer.js';
import { uniqueName } from '../helpers/names.js';
import { Subscribers } from './subscribers.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '00000000-aaaa-bbbb-cccc-123456789012';
const REQUEST_TOKEN = 'runner-request-token-0123456789';
const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]+/;
const json = (status: number, body: object): Reply => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let emulator: Emulator;
let github: CaptureServer;
let entra: CaptureServer;
let oidcToken: string;
let accessToken: string;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('RS256');
  oidcToken = await new SignJWT({ job_workflow_ref: 'octo-org/shop/.github/workflows/deploy.yml@refs/heads/main', repository: 'octo-org/shop' })
    .setProtectedHeader({ alg: 'RS256', kid: 'github' })
    .setIssuer('https://token.actions.githubusercontent.com')
    .setSubject('repo:octo-org/shop:environment:production')
    .setAudience('api://AzureADTokenExchange')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  accessToken = await new SignJWT({ oid: 'object-id', tid: TENANT, roles: [] })
    .setProtectedHeader({ alg: 'RS256', kid: 'entra' })
    .setIssuer(`https://sts.windows.net/${TENANT}/`)
    .setAudience('https://webpubsub.azure.com')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  emulator = await startEmulator({ port: 0, acceptEntraTokens: true });
  github = await startCaptureServer(() => json(200, { value: oidcToken }));
  entra = await startCaptureServer(() => json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken }));
});
afterAll(() => Promise.all([emulator.close(), github.close(), entra.close()]));
beforeEach(() => {
  github.requests.length = 0;
  entra.requests.length = 0;
});

const oidcEnv = () => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: `${github.endpoint}/token?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
});
const entraInputs = (hub: string) => ({
  endpoint: emulator.endpoint,
  'client-id': CLIENT,
  'tenant-id': TENANT,
  'authority-host': entra.endpoint,
  hub,
});

test('the OIDC token is exchanged with Entra and the access token is accepted: the subscriber gets the message', async () => {
  const hub = uniqueName('hub');
  const subscribers = new Subscribers(emulator, hub);
  try {
    const listener = await subscribers.connect();
    const run = await runAction({ inputs: { ...entraInputs(hub), message: '{"via": "entra"}' }, env: oidcEnv(), debug: true });
    expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
    expect(run.outputs).toMatchObject({ ok: 'true', status: '202' });
    expect((await listener.serverMessages.next()).data).toEqual({ via: 'entra' });

    // The runner's token endpoint: GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=<encoded>, bearer the request token.
    expect(github.requests).toHaveLength(1);
    expect(github.requests[0]).toMatchObject({ method: 'GET', url: '/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange' });
    expect(github.requests[0]!.headers.authorization).toBe(`Bearer ${REQUEST_TOKEN}`);
    // Entra's token endpoint: the client-credentials grant with the OIDC token as a federated client assertion.
    expect(entra.requests).toHaveLength(1);
    expect(entra.requests[0]).toMatchObject({ method: 'POST', url: `/${TENANT}/oauth2/v2.0/token` });
    expect(entra.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(entra.requests[0]!.body.toString()).toBe(
      `client_id=${CLIENT}` +
        '&scope=https%3A%2F%2Fwebpubsub.azure.com%2F.default' +
        '&grant_type=client_credentials' +
        '&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer' +
        `&client_assertion=${oidcToken}`,
    );
    // Both tokens are masked, and neither (nor anything JWT-shaped) appears anywhere else.
    expect(run.stdout).toContain(`::add-mask::${oidcToken}`);
    expect(run.stdout).toContain(`::add-mask::${accessToken}`);
    for (const kept of [run.logs, run.files.output, run.summary, run.files.env, run.files.state]) {
      expect(kept).not.toMatch(JWT_SHAPE);
      expect(kept).not.toContain(REQUEST_TOKEN);
    }
  } finally {
    await subscribers.stop();
  }
});

test('a custom audience is what GitHub is asked for', async () => {
  const run = await runAction({ inputs: { ...entraInputs(uniqueName('hub')), audience: 'api://contoso/webpubsub' }, env: oidcEnv() });
  expect(run.code).toBe(0);
  expect(github.requests[0]!.url).toBe('/token?api-version=2.0&audience=api%3A%2F%2Fcontoso%2Fwebpubsub');
});

test("an Entra rejection (AADSTS70021) fails with Entra's words and the token's iss, sub and aud, never the token", async () => {
  entra.respond(() =>
    json(400, {
      error: 'invalid_client',
      error_description:
        "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'.\r\nTrace ID: 1\r\nCorrelation ID: 2",
      error_codes: [70021],
    }),
  );
  try {
    const run = await runAction({ inputs: entraInputs(uniqueName('hub')), env: oidcEnv() });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    const error = run.errors[0]!;
    expect(error).toContain('Microsoft Entra refused the GitHub OIDC token (invalid_client: AADSTS70021: No matching federated identity record');
    expect(error).toContain('iss="https://token.actions.githubusercontent.com"');
    expect(error).toContain('sub="repo:octo-org/shop:environment:production"');
    expect(error).toContain('aud="api://AzureADTokenExchange"');
    expect(run.logs).not.toMatch(JWT_SHAPE);
    expect(run.outputs.ok).toBe('false');
  } finally {
    entra.respond(() => json(200, { token_type: 'Bearer', expires_in: 3599, access_token: accessToken }));
  }
});

test('without the id-token permission: an error that says to add it, and nothing is requested', async () => {
  const run = await runAction({ inputs: entraInputs(uniqueName('hub')) });
  expect(run.code).toBe(1);
  expect(run.errors).toEqual([expect.stringContaining('add it to the job')]);
  expect(run.errors[0]).toContain('permissions: id-token: write');
  expect([github.requests.length, entra.requests.length]).toEqual([0, 0]);
});

test('dry-run with Entra exchanges nothing and shows the token masked', async () => {
  const run = await runAction({ inputs: { ...entraInputs(uniqueName('hub')), 'dry-run': 'true' }, env: oidcEnv() });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("authorization: Bearer *** (a Microsoft Entra token, exchanged for the job's GitHub OIDC token)");
  expect([github.requests.length, entra.requests.length]).toEqual([0, 0]);
});

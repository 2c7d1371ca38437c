/**
 * Answers each request with the first success status its operation declares in the shared table, so any client
 * under test gets a response it accepts: the differential tests compare what clients send, not what they get.
 */
import { Router } from '../../emulator/rest/routes.js';
import type { Operation } from '../../shared/operations.js';
import type { CapturedRequest, Reply } from './captureServer.js';

const router = new Router();

/** The operation a method and raw request target belong to, if any. */
function operationFor(method: string, url: string): Operation | undefined {
  try {
    return router.match(method, url.split('?')[0]).operation;
  } catch {
    return undefined;
  }
}

/** A generateToken answer, and a single empty page for list calls. */
export function tableReply(request: CapturedRequest): Reply {
  const operation = operationFor(request.method, request.url);
  if (!operation) return { status: 404 };
  const json = { 'content-type': 'application/json' };
  if (operation.result === 'token') return { status: 200, headers: json, body: JSON.stringify({ token: 'service-issued-token' }) };
  if (operation.result === 'page') return { status: 200, headers: json, body: JSON.stringify({ value: [] }) };
  return { status: operation.success[0] };
}

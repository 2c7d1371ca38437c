/**
 * The REST request listener: one chain of steps in a fixed order, each doing one job. Handlers return models;
 * only the serialize and error steps write to the response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSIONS, type OperationName } from '../../shared/operations.js';
import { redact } from '../../shared/logger.js';
import type { ActivityFeed, RestActivity } from '../common/activity.js';
import type { AccessTokenVerifier } from '../common/accessTokens.js';
import type { EmulatorLogger } from '../common/logger.js';
import { errors } from '../common/errors.js';
import type { Fault, FaultInjector } from '../faults/faults.js';
import type { Handler } from './handlers/index.js';
import { knownQueryNames, parseRestRequest, type RestRequest } from './restRequest.js';
import type { RouteMatch, Router } from './routes.js';
import { ServiceError } from '../common/serviceError.js';

/** What the request listener's steps work with. */
export interface RequestListenerContext {
  router: Router;
  handlers: Readonly<Record<OperationName, Handler>>;
  verifier: AccessTokenVerifier;
  faults: FaultInjector;
  loose: boolean;
  /** One line per request, when set. */
  logger: EmulatorLogger | undefined;
  /** Unexpected failures (answered with a 500). */
  onError(error: unknown, what: string): void;
  /** Told of every answered request while anyone watches. */
  activity?: ActivityFeed;
}

/** What the steps know about one request. */
interface RequestState {
  readonly id: string;
  readonly start: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  route?: RouteMatch;
  request?: RestRequest;
  /** The status answered, or that would have been answered to a client that is gone (for the log line). */
  status?: number;
  /** Set when a fault reset the connection: nothing may be written. */
  reset?: boolean;
  /** Set by a `lostResponse` fault: the request runs, then the connection is reset instead of answered. */
  loseResponse?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** Sent on every answer, as Microsoft's emulator (ASP.NET API versioning) sends it. */
const SUPPORTED_VERSIONS = API_VERSIONS.join(', ');

/** Builds the listener for the HTTP server's `request` event. */
export function createRequestListener(context: RequestListenerContext): RequestListener {
  const { router, handlers, verifier, faults, loose, logger } = context;

  return (req, res) => {
    // 1. Request context: an id (echoed as x-ms-request-id) and the start time for the log line.
    const state = createState(req, res);
    void (async () => {
      try {
        // 2. Faults: a drill's fault strikes first, before the emulator even looks at the request.
        // (No await without a fault: most requests draw none, and each await is a turn of the microtask queue.)
        const fault = faults.draw();
        if (fault && (await applyFault(state, fault))) return;
        // 3. Dispatch: match a row of the operations table (404 or 405 otherwise).
        if (!req.headers.host) throw errors.missingHost();
        const route = (state.route = router.match(state.method, state.path));
        // 4. Strict mode: refuse query parameters the emulator cannot honour, rather than ignore them.
        if (!loose) refuseUnknownQuery(state.query, route);
        // 5. Auth: an HS256 token whose aud is the URL as received. The health probe is anonymous.
        if (route.operation.name !== 'getServiceStatus') {
          await verifier.verifyRest(req.headers.authorization, `http://${req.headers.host}${req.url}`);
        }
        // 6. Parse and validate: api-version, path, query and body, by the table row and the shared rules.
        const request = (state.request = await parseRestRequest(req, route, state.query, loose));
        // 7. Handler: acts on the store and returns the operation's result.
        const result = await handlers[route.operation.name as OperationName](request);
        // 8. Serialize: the table row's success status, and a JSON body for tokens and pages.
        const status = route.operation.success[0]!;
        write(state, status, route.operation.result === 'token' || route.operation.result === 'page' ? JSON.stringify(result) : undefined);
      } catch (error) {
        // 9. Error: a ServiceError as the service answers it; anything else is logged and becomes a 500.
        if (!(error instanceof ServiceError)) context.onError(error, `${state.method} ${state.path}`);
        writeError(state, error instanceof ServiceError ? error : errors.internal());
      } finally {
        // 10. End: one log line, and the activity feed when watched.
        if (context.activity?.watched) context.activity.publish(restActivity(state));
        logger?.(
          redact(`${state.method} ${state.path} -> ${state.reset ? 'reset' : state.status} (${(performance.now() - state.start).toFixed(1)} ms) ${state.id}`),
        );
      }
    })();
  };
}

function restActivity({ method, path, route, request, status, reset, start }: RequestState): RestActivity {
  const params = { ...route?.params, targetName: request?.query.targetName as string | undefined };
  const ms = performance.now() - start;
  return {
    kind: 'rest',
    method,
    path,
    operation: route?.operation.name,
    hub: route?.params.hub,
    params,
    status: reset ? 'reset' : status,
    ms,
    message: request?.message,
  };
}

function createState(req: IncomingMessage, res: ServerResponse): RequestState {
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  return {
    id: randomUUID(),
    start: performance.now(),
    req,
    res,
    method: req.method ?? 'GET',
    path: queryStart === -1 ? target : target.slice(0, queryStart),
    query: new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1)),
  };
}

/** Acts on a drawn fault; true when the request is finished (answered or reset). */
async function applyFault(state: RequestState, fault: Fault): Promise<boolean> {
  switch (fault.kind) {
    case 'latency':
      await sleep(fault.ms);
      return false;
    case 'reset':
      state.reset = true;
      state.req.socket.resetAndDestroy();
      return true;
    case 'lostResponse':
      state.loseResponse = true;
      return false;
    case 'throttle':
      throw errors.throttled(fault.retryAfterSeconds);
    case 'unavailable':
      throw errors.unavailable();
  }
}

function refuseUnknownQuery(query: URLSearchParams, route: RouteMatch): void {
  const known = knownQueryNames(route.operation);
  for (const name of query.keys()) {
    if (!known.has(name)) throw errors.unsupportedQueryParameter(name, route.operation);
  }
}

function write(state: RequestState, status: number, body?: string, headers: Readonly<Record<string, string>> = {}): void {
  const { res, method } = state;
  state.status = status;
  if (state.loseResponse) {
    state.reset = true;
    state.req.socket.resetAndDestroy();
  }
  if (state.reset || res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('x-ms-request-id', state.id);
  res.setHeader('api-supported-versions', SUPPORTED_VERSIONS);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined || method === 'HEAD') {
    res.end();
    return;
  }
  res.setHeader('content-type', JSON_TYPE);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function writeError(state: RequestState, error: ServiceError): void {
  const headers: Record<string, string> = { 'x-ms-error-code': error.code, ...error.headers };
  // The body of a refused upload is not read; closing the connection discards it.
  if (error.status === 413) headers.connection = 'close';
  write(state, error.status, JSON.stringify(error.toBody()), headers);
}

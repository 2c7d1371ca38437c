/**
 * The emulator's REST routes, compiled from the shared operations table: no route is written here by hand.
 */
import { operationList, type HttpMethod, type Operation, type PathParam } from '../../shared/operations.js';
import { errors } from '../common/errors.js';

/** A request matched to a table row, with its path parameters percent-decoded. */
export interface RouteMatch {
  operation: Operation;
  params: Partial<Record<PathParam, string>>;
}

interface Route {
  operation: Operation;
  /** One entry per path segment: a literal, or the parameter it binds. */
  segments: readonly ({ literal: string } | { param: PathParam })[];
}

/** Matches raw request paths against every row of the operations table. */
export class Router {
  readonly #routes: readonly Route[];

  constructor(operations: readonly Operation[] = operationList) {
    this.#routes = operations.map((operation) => ({
      operation,
      segments: operation.path.split('/').map((segment) => (segment.startsWith('{') ? { param: segment.slice(1, -1) as PathParam } : { literal: segment })),
    }));
  }

  /**
   * Finds the operation for `method` and the raw (still percent-encoded) `path`. Segments are split before they
   * are decoded, so `%2F` stays inside its segment: `users/a%2Fb` addresses the user `a/b`. One trailing slash
   * is the same route (`…/connections/`), as in ASP.NET routing.
   * @throws ServiceError 404 when no row has this path, 405 when rows have it but not this method, 400 for bad
   * percent-encoding.
   */
  match(method: string, path: string): RouteMatch {
    const parts = (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
    const allowed: HttpMethod[] = [];
    for (const route of this.#routes) {
      const params = bind(route, parts);
      if (!params) continue;
      if (route.operation.method === method) return { operation: route.operation, params };
      allowed.push(route.operation.method);
    }
    if (allowed.length > 0) throw errors.methodNotAllowed(method, allowed);
    throw errors.routeNotFound(method, path);
  }
}

function bind(route: Route, parts: readonly string[]): RouteMatch['params'] | undefined {
  if (parts.length !== route.segments.length) return undefined;
  const params: RouteMatch['params'] = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!;
    const part = parts[i]!;
    if ('literal' in segment) {
      if (part !== segment.literal) return undefined;
    } else {
      params[segment.param] = decodeSegment(segment.param, part);
    }
  }
  return params;
}

function decodeSegment(param: PathParam, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw errors.invalidPathParameter(param, `${param} is not valid percent-encoding`);
  }
}

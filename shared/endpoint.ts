/** Endpoint URLs: parsing, the loopback rule for plain http, and the parts the pipeline needs. */
import { InvalidArgumentError } from './errors.js';

export interface Endpoint {
  /** `scheme://host[:port]` */
  origin: string;
  /** A path the endpoint carries (`/webpubsub` behind some proxies), without a trailing slash; usually ''. */
  pathPrefix: string;
  /** origin + pathPrefix */
  href: string;
}

/**
 * Parses an http(s) endpoint. Plain http is allowed to loopback hosts (the emulator, local tests) and elsewhere
 * only with `allowInsecureConnection`, because the bearer token would cross the network in clear text.
 * @throws InvalidArgumentError naming `argument`.
 */
export function parseEndpoint(argument: string, value: unknown, allowInsecureConnection = false): Endpoint {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(argument, 'must be a non-empty URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(argument, 'must be an absolute http(s) URL such as https://<name>.webpubsub.azure.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError(argument, `must use https (got ${url.protocol.slice(0, -1)})`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new InvalidArgumentError(argument, 'must not carry a query, fragment or credentials');
  }
  if (url.protocol === 'http:' && !allowInsecureConnection && !isLoopback(url.hostname)) {
    throw new InvalidArgumentError(argument, `uses http to ${url.hostname}, which is not a loopback host; use https, or set allowInsecureConnection: true`);
  }
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, pathPrefix, href: url.origin + pathPrefix };
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]' || hostname === '::1';
}

/**
 * The connection pool a client owns. Behind a proxy it is undici's EnvHttpProxyAgent, which honours HTTPS_PROXY,
 * HTTP_PROXY and NO_PROXY as the official SDK does (runners behind a corporate proxy depend on it); otherwise it is
 * a keep-alive Pool to the one origin the client talks to, the fast path.
 */
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici';
import { EnvHttpProxyAgent, Pool } from './undiciParts.js';

/** Keep-alive sockets per client: enough for bulk work at the concurrency the callers use. */
const CONNECTIONS = 64;

/**
 * @param origin - `scheme://host:port` the client sends to
 * @param connectTimeoutMs - the bound on opening a socket (the client's per-attempt timeout)
 */
export function createDispatcher(origin: string, connectTimeoutMs: number, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const options = { connections: CONNECTIONS, connect: { timeout: connectTimeoutMs } };
  if (!proxyFor(origin, env)) return new Pool(origin, options);
  // proxyTunnel false: http endpoints go to the proxy as absolute-form requests, as the official SDK's http agent
  // sends them (many proxies allow CONNECT to port 443 only); https endpoints always use a CONNECT tunnel.
  return new EnvHttpProxyAgent({ ...options, proxyTunnel: false } as EnvHttpProxyAgentClass.Options);
}

/** The proxy EnvHttpProxyAgent would use for the origin's scheme (NO_PROXY aside), if a variable names one. */
function proxyFor(origin: string, env: NodeJS.ProcessEnv): string | undefined {
  const http = env.http_proxy ?? env.HTTP_PROXY;
  return (origin.startsWith('https:') ? (env.https_proxy ?? env.HTTPS_PROXY ?? http) : http) || undefined;
}

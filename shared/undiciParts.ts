/**
 * The parts of undici the client uses, loaded by their own files. undici's index loads fetch, WebSocket,
 * EventSource, the cache and the mock agent too: on a busy 2-core machine `require('undici')` costs about 100 ms
 * more than these parts, paid by every process that loads the client (the CLI, the Pulumi provider host).
 * undici 6 has no exports map, so its files are reachable; their types are the index's.
 */
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass, Pool as PoolClass, util as utilNamespace } from 'undici';
import apiRequest from 'undici/lib/api/api-request.js';
import envHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import pool from 'undici/lib/dispatcher/pool.js';
import coreUtil from 'undici/lib/core/util.js';

export const Pool = pool as typeof PoolClass;
export const EnvHttpProxyAgent = envHttpProxyAgent as typeof EnvHttpProxyAgentClass;
export const parseHeaders = (coreUtil as typeof utilNamespace).parseHeaders;

/**
 * `dispatcher.request(options)`: undici's index adds `request` to every dispatcher's prototype, so a dispatcher
 * made from these parts alone has none; this calls undici's own function on it.
 */
export function requestOn(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return (apiRequest as (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>).call(dispatcher, options);
}

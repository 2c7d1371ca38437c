/**
 * Who may see the live view. A page elsewhere on the web must not read a developer's emulator: the view answers
 * only clients on this machine (unless the user opts in), only to a Host that is an IP address, `localhost` or a
 * name the user allowed (a rebound DNS name is none of these), and refuses an Origin other than its own, as
 * well-kept dev servers do (webpack-dev-server's allowedHosts, Vite's server.allowedHosts).
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { ResolvedLiveView } from './liveViewOptions.js';

/** Why a request is refused, or undefined when it may see the view. */
export function refusal(req: IncomingMessage, options: ResolvedLiveView): string | undefined {
  if (!options.allowRemote && !isLoopback(req.socket.remoteAddress)) {
    return 'The live view answers only on this machine (loopback); start the emulator with --ui-remote to open it to others.';
  }
  const host = req.headers.host;
  if (!host || !hostAllowed(hostnameOf(host), options.allowedHosts)) {
    return `The live view does not answer to the host ${JSON.stringify(host ?? '')}; allow it with --ui-allowed-hosts.`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host)) return `The live view does not answer requests from ${JSON.stringify(origin)}.`;
  return undefined;
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** The host name of a Host header: without the port, an IPv6 address without its brackets, lower case. */
export function hostnameOf(host: string): string {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

/** An IP literal cannot be rebound; `localhost` and its subdomains resolve to loopback by RFC 6761. */
export function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  if (isIP(hostname) !== 0 || hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  return allowed.some((entry) => (entry.startsWith('.') ? hostname === entry.slice(1) || hostname.endsWith(entry) : hostname === entry));
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

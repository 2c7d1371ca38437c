/**
 * A client that gives up mid-upload: it sends a signed send request's head and part of its body over a raw TCP
 * socket, then destroys the socket, as a killed process or a dropped network would.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { signJwt } from '../../shared/tokens.js';

/** Sends `POST <path>` announcing 100,000 bytes, writes 5,000 of them, then destroys the socket. */
export async function abortUpload(endpoint: string, accessKey: string, path: string): Promise<void> {
  const { hostname, port, host } = new URL(endpoint);
  const token = await signJwt(accessKey, {}, { audience: endpoint + path, lifetimeSeconds: 60 });
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  const head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n`;
  await new Promise<void>((resolve, reject) => socket.write(head + 'x'.repeat(5000), (error) => (error ? reject(error) : resolve())));
  socket.destroy();
}

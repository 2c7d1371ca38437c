/**
 * WebSocket clients held in a process of their own, so that the emulator's process keeps its file descriptors (and
 * its core) for the server side: reads one JSON line of client URLs on stdin, opens them in batches, prints `open`,
 * and holds them until stdin ends.
 */
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

const BATCH = 200;

function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const sockets: WebSocket[] = [];
const lines = createInterface({ input: process.stdin });
let opening = Promise.resolve();
lines.on('line', (line) => {
  opening = opening.then(async () => {
    const urls = JSON.parse(line) as string[];
    for (let start = 0; start < urls.length; start += BATCH) sockets.push(...(await Promise.all(urls.slice(start, start + BATCH).map(open))));
    process.stdout.write('open\n');
  });
});
lines.once('close', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});

/**
 * An emulator in a process of its own, started with `--expose-gc` (jest cannot pass that flag to its workers), so
 * that a test can measure the emulator's heap and nothing else: a forced, settled garbage collection, then
 * `process.memoryUsage()`. Driven over the IPC channel of `fork`: it says `ready` with its connection string,
 * answers `measure` with the memory figures, and exits on `close` or when its parent goes away.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { startEmulator } from '../../emulator/index.js';

/** What the child answers to `measure`. */
export interface MemoryFigures {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  connections: number;
}

/** Collects until the heap stops shrinking, so that what is left is what is still referenced. */
async function settledGc(gc: () => void): Promise<void> {
  let previous = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    await turn();
    const used = process.memoryUsage().heapUsed;
    if (used >= previous - 64 * 1024) return;
    previous = used;
  }
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || !process.send) throw new Error('start this with fork() and --expose-gc');
  const emulator = await startEmulator({ port: 0 });
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: { type: string }) => {
    void (async () => {
      if (message.type === 'measure') {
        await settledGc(gc);
        const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
        process.send!({ type: 'memory', heapUsed, external, arrayBuffers, rss, connections: emulator.connections().length });
      } else if (message.type === 'close') {
        await emulator.close();
        process.exit(0);
      }
    })();
  });
  process.send({ type: 'ready', connectionString: emulator.connectionString });
}

await main();

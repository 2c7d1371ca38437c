/**
 * A listener whose network goes away, closed while its next attempt waits (up to 60 s): if close() left the timer
 * or the socket behind, this process would outlive the test's timeout instead of exiting by itself. The drop is
 * recovered at once (no wait); that attempt fails (nothing listens where the network now leads), and the one after
 * it waits its backoff.
 */
import { WebSocket } from 'ws';
import { connectNotifications, type NotificationListener } from '../../../browser/index.js';
import { startEmulator } from '../../../emulator/index.js';
import { WebPubSubServiceClient } from '../../../shared/index.js';

const emulator = await startEmulator({ port: 0 });
const service = new WebPubSubServiceClient(emulator.connectionString, 'exits', { logLevel: 'off' });
const { url } = await service.getClientAccessToken();
let sockets = 0;
/** The first socket reaches the emulator; every later one a port where nothing listens. */
class GoneNetwork extends WebSocket {
  constructor(target: string, protocols?: string | string[]) {
    super(sockets++ === 0 ? target : 'ws://127.0.0.1:9/', protocols);
  }
}
let listener: NotificationListener | undefined;
await new Promise<void>((resolve) => {
  listener = connectNotifications({
    url,
    WebSocket: GoneNetwork as never,
    onDeployed: () => undefined,
    onRelease: () => undefined,
    backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    onConnected: ({ connectionId }) => {
      console.log('connected');
      emulator.dropConnection(connectionId);
    },
    onDisconnected: ({ reason, reconnectInMs, recovering }) => {
      const next = reconnectInMs === 0 ? 'at once' : reconnectInMs <= 60_000 ? 'in 60 s or less' : `in ${reconnectInMs} ms`;
      console.log(`disconnected: ${reason}, ${recovering ? 'recovering' : 'reconnecting'} ${next}`);
      if (reconnectInMs > 0) resolve();
    },
  });
});
await listener!.close();
console.log('closed');
await service.close();
await emulator.close();

/**
 * A listener whose connection drops, closed while its reconnect waits (up to 60 s): if close() left the timer or
 * the socket behind, this process would outlive the test's timeout instead of exiting by itself.
 */
import { WebSocket } from 'ws';
import { connectNotifications, type NotificationListener } from '../../../browser/index.js';
import { startEmulator } from '../../../emulator/index.js';
import { WebPubSubServiceClient } from '../../../shared/index.js';

const emulator = await startEmulator({ port: 0 });
const service = new WebPubSubServiceClient(emulator.connectionString, 'exits', { logLevel: 'off' });
const { url } = await service.getClientAccessToken();
let listener: NotificationListener | undefined;
await new Promise<void>((resolve) => {
  listener = connectNotifications({
    url,
    WebSocket,
    onDeployed: () => undefined,
    onRelease: () => undefined,
    backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    onConnected: ({ connectionId }) => {
      console.log('connected');
      emulator.dropConnection(connectionId);
    },
    onDisconnected: ({ reason, reconnectInMs }) => {
      console.log(`disconnected: ${reason}, next attempt in ${reconnectInMs <= 60_000 ? '60 s or less' : `${reconnectInMs} ms`}`);
      resolve();
    },
  });
});
await listener!.close();
console.log('closed');
await service.close();
await emulator.close();

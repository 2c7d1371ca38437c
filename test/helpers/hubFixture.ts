/**
 * Per-test fixtures over one emulator: a fresh hub, service clients for it, and connected raw sockets with
 * their connection ids.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { WebPubSubServiceClient as OfficialServiceClient } from '@azure/web-pubsub';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { uniqueName } from './names.js';
import { connectJson, JSON_PROTOCOL, openSocket, type TestSocket } from './sockets.js';

export interface ConnectOptions {
  userId?: string;
  roles?: string[];
  groups?: string[];
  /** Subprotocol; `null` for a plain client (default json.webpubsub.azure.v1). */
  protocol?: string | null;
}

/** One hub on a running emulator, with what tests need to drive it. */
export class HubFixture {
  readonly hub = uniqueName('hub');
  readonly emulator: Emulator;
  /** Our core client, without retries so failures show at once. */
  readonly client: WebPubSubServiceClient;
  /** The official server SDK. */
  readonly official: OfficialServiceClient;
  readonly #sockets: TestSocket[] = [];
  #disposed = false;

  constructor(emulator: Emulator) {
    this.emulator = emulator;
    this.client = new WebPubSubServiceClient(emulator.connectionString, this.hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
    this.official = new OfficialServiceClient(emulator.connectionString, this.hub, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
  }

  /** Connects a client and returns its socket and connection id (plain clients: looked up in the emulator). */
  async connect(options: ConnectOptions = {}): Promise<{ socket: TestSocket; connectionId: string }> {
    const { protocol = JSON_PROTOCOL, ...token } = options;
    const { url } = await this.client.getClientAccessToken(token);
    if (protocol === null) {
      const known = new Set(this.emulator.connections(this.hub).map((c) => c.connectionId));
      const socket = this.#track(await openSocket(url));
      // The emulator registers the connection before it answers the upgrade.
      const connection = this.emulator.connections(this.hub).find((c) => !known.has(c.connectionId))!;
      return { socket, connectionId: connection.connectionId };
    }
    const { socket, connected } = await connectJson(url, protocol);
    this.#track(socket);
    return { socket, connectionId: connected.connectionId as string };
  }

  #track(socket: TestSocket): TestSocket {
    this.#sockets.push(socket);
    return socket;
  }

  /** Closes every socket and client of this fixture. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await Promise.all(this.#sockets.map((socket) => socket.close()));
    await this.client.close();
  }
}

/** One emulator for a test file, started before its tests and closed after; fixtures are disposed after each test. */
export interface EmulatorScope {
  readonly emulator: Emulator;
  /** A fresh hub on the emulator, disposed after the test. */
  fixture(): HubFixture;
}

/** Registers the hooks that give a test file its emulator (`port: 0` plus `options`). */
export function useEmulator(options: EmulatorOptions = {}): EmulatorScope {
  let emulator: Emulator | undefined;
  const fixtures: HubFixture[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...options });
  });
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fixture) => fixture.dispose()));
  });
  afterAll(() => emulator?.close());
  return {
    get emulator() {
      if (!emulator) throw new Error('the emulator starts in beforeAll; use it inside tests');
      return emulator;
    },
    fixture() {
      const fixture = new HubFixture(this.emulator);
      fixtures.push(fixture);
      return fixture;
    },
  };
}

/**
 * A frame over the size limit closes its socket the same way at any size: 1009 with the reason, after the
 * `disconnected` frame on the JSON subprotocols. Frames up to 2 MiB are read and then refused by the emulator;
 * larger ones are refused by `ws` from the frame header, before they are read.
 */
import { describe, expect, test } from '@jest/globals';
import { closes } from '../../emulator/common/errors.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { JSON_PROTOCOL, RELIABLE_PROTOCOL } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

const MiB = 1024 * 1024;
const { code: TOO_LARGE, reason: TOO_LARGE_REASON } = closes.messageTooLarge();

/** A JSON event frame of `bytes` bytes whose text data is almost all of it (so its data is over 1 MiB too). */
function eventFrame(bytes: number): string {
  const envelope = '{"type":"event","event":"e","dataType":"text","data":""}';
  return envelope.replace('"data":""', `"data":"${'x'.repeat(bytes - envelope.length)}"`);
}

describe.each([
  ['json', JSON_PROTOCOL],
  ['reliable', RELIABLE_PROTOCOL],
  ['plain', null],
] as const)('%s clients', (_kind, protocol) => {
  test.each([
    ['1.5 MiB', 1.5 * MiB],
    ['3 MiB', 3 * MiB],
    ['20 MiB', 20 * MiB],
  ])('a %s frame closes with 1009 and the reason; others are still served', async (_size, bytes) => {
    fixture = env.fixture();
    const victim = await fixture.connect({ protocol });
    const bystander = await fixture.connect();
    if (protocol === null) victim.socket.send(Buffer.alloc(bytes, 1));
    else victim.socket.send(eventFrame(bytes));

    if (protocol !== null) {
      expect(await victim.socket.json()).toEqual({ type: 'system', event: 'disconnected', message: TOO_LARGE_REASON });
    }
    expect(await victim.socket.closed).toEqual({ code: TOO_LARGE, reason: TOO_LARGE_REASON });
    expect(victim.socket.frames.size).toBe(0);

    await fixture.client.sendToAll('still serving', { contentType: 'text/plain' });
    expect((await bystander.socket.json()).data).toBe('still serving');
    expect(env.emulator.connections(fixture.hub).map((c) => c.connectionId)).toEqual([bystander.connectionId]);
    expect(await fixture.client.connectionExists(victim.connectionId)).toBe(false);
  });
});

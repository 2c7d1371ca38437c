/**
 * The fan-out bench's receivers (bench/frameCounter.ts) count whole frames however the stream is cut: frames of
 * each length encoding, several in one chunk, a header split across chunks, a payload spread over many.
 */
import { describe, expect, test } from '@jest/globals';
import * as ws from 'ws';
import { FrameCounter } from '../../bench/frameCounter.js';

const { frame } = (ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;
const serverFrame = (bytes: number) => Buffer.concat(frame(Buffer.alloc(bytes, 7), { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false }));

/** Feeds `stream` in chunks of `size` bytes; the frames counted after each chunk. */
function countInChunks(stream: Buffer, size: number): number[] {
  const counter = new FrameCounter();
  const counts: number[] = [];
  for (let i = 0; i < stream.length; i += size) counts.push(counter.push(stream.subarray(i, i + size)));
  return counts;
}

describe('FrameCounter', () => {
  // 7-bit, 16-bit and 64-bit payload lengths, and an empty frame.
  const frames = [0, 5, 125, 126, 300, 65_535, 65_536, 70_000].map(serverFrame);
  const stream = Buffer.concat(frames);

  test('every frame is counted once, whatever the chunk size', () => {
    for (const size of [1, 2, 3, 7, 100, 4096, stream.length]) {
      expect(countInChunks(stream, size).reduce((a, b) => a + b, 0)).toBe(frames.length);
    }
  });

  test('a frame counts when its last byte arrives, not before', () => {
    const counter = new FrameCounter();
    const one = serverFrame(300);
    expect(counter.push(one.subarray(0, 1))).toBe(0);
    expect(counter.push(one.subarray(1, 3))).toBe(0);
    expect(counter.push(one.subarray(3, one.length - 1))).toBe(0);
    expect(counter.push(one.subarray(one.length - 1))).toBe(1);
  });

  test('several frames in one chunk count together', () => {
    expect(new FrameCounter().push(Buffer.concat([serverFrame(3), serverFrame(200), serverFrame(0)]))).toBe(3);
  });
});

/**
 * The frames other than messages that the service sends on the JSON subprotocols (NOTES §8.2). `sequenceId` is
 * only on message frames, so none of these count toward the reliable sequence.
 */

/** An error body of an ack, invokeResponse or streamClosed frame. */
export interface FrameError {
  name: string;
  message: string;
}

/**
 * The non-message frames of one protocol family: JSON text for the JSON subprotocols, `DownstreamMessage` bytes for
 * the protobuf ones (protobufFrames.ts).
 */
export interface ControlFrames {
  connected(connectionId: string, userId: string | null, reconnectionToken?: string): string | Buffer;
  disconnected(message: string): string | Buffer;
  ack(ackId: number, error?: FrameError): string | Buffer;
  pong(): string | Buffer;
  streamClosed(streamId: string, error: FrameError): string | Buffer;
}

/** Builders of the service's non-message frames, as JSON text. */
export const serverFrames = {
  connected: (connectionId: string, userId: string | null, reconnectionToken?: string): string =>
    JSON.stringify({ type: 'system', event: 'connected', userId: userId ?? undefined, connectionId, reconnectionToken }),
  disconnected: (message: string): string => JSON.stringify({ type: 'system', event: 'disconnected', message }),
  ack: (ackId: number, error?: FrameError): string =>
    JSON.stringify(error ? { type: 'ack', ackId, success: false, error } : { type: 'ack', ackId, success: true }),
  pong: (): string => '{"type":"pong"}',
  invokeResponse: (invocationId: string, error: FrameError): string => JSON.stringify({ type: 'invokeResponse', invocationId, success: false, error }),
  streamClosed: (streamId: string, error: FrameError): string => JSON.stringify({ type: 'streamClosed', streamId, error }),
};

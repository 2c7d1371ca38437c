/**
 * A user event as the emulator reports it. Kept apart from the WebSocket code so that the emulator's public types
 * need no `ws` declarations in a user's project.
 */
import type { DataType } from '../state/outboundMessage.js';

/** A user event a client sent (the service would pass it to the upstream event handler). */
export interface ClientEvent {
  hub: string;
  connectionId: string;
  userId: string | null;
  /** The event name; `message` for plain clients. */
  event: string;
  dataType: DataType;
  /** Parsed JSON, a string, or bytes. */
  data: unknown;
}

/**
 * webpubsub-action/emulator: a local Azure Web PubSub service (REST data plane and client WebSockets) for tests,
 * demos and users' local runs.
 * @packageDocumentation
 */
export { Emulator, startEmulator } from './emulator.js';
export type { ConnectionInfo, EmulatorEvents, EmulatorStatus } from './emulator.js';
export { FAULT_KINDS } from './emulatorOptions.js';
export type { EmulatorLogger, EmulatorOptions, FaultKind, FaultOptions } from './emulatorOptions.js';
export { SYSTEM_EVENTS } from './eventHandlerSettings.js';
export type { EventHandlerSettings, HubSettings, SystemEvent, UpstreamOptions } from './eventHandlerSettings.js';
export type { ClientEvent } from './clientEvent.js';
export type { ConnectionState, WireProtocol } from './store.js';
export type { DataType } from './outboundMessage.js';

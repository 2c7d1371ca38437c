/**
 * webpubsub-action/emulator: a local Azure Web PubSub service (REST data plane and client WebSockets) for tests,
 * demos and users' local runs.
 * @packageDocumentation
 */
export { Emulator, startEmulator } from './emulator.js';
export type { ConnectionInfo, EmulatorEvents, EmulatorStatus } from './emulator.js';
export type { EmulatorLogger } from './common/logger.js';
export type { EmulatorOptions } from './emulatorOptions.js';
export type { LiveViewOptions } from './liveView/liveViewOptions.js';
export { DEFAULT_FAULT_KINDS, FAULT_KINDS } from './faults/faultOptions.js';
export { CLIENT_FAULT_KINDS } from './faults/clientFaults.js';
export type { ClientFaultKind, ClientFaultOptions } from './faults/clientFaults.js';
export type { FaultKind, FaultOptions } from './faults/faultOptions.js';
export { SYSTEM_EVENTS } from './upstream/eventHandlerSettings.js';
export type { EventHandlerSettings, HubSettings, SystemEvent, UpstreamOptions } from './upstream/eventHandlerSettings.js';
export type { ClientEvent } from './websocket/clientEvent.js';
export type { ConnectionState, WireProtocol } from './state/store.js';
export type { DataType } from './state/outboundMessage.js';

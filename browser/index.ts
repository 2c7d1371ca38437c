/**
 * webpubsub-action/browser: the receiving end. A small, dependency-free module for apps in the browser that
 * connects to Web PubSub with a client URL on the reliable subprotocol (recovering its connection after a drop,
 * delivering each notification once), checks each message against the notification shape the Action sends,
 * and calls the app back (`onDeployed`, `onRelease`). It uses only the platform's WebSocket, JSON, URL and timers;
 * in Node, pass a WebSocket constructor such as `ws`'s.
 * @packageDocumentation
 */
export { connectNotifications } from './notificationListener.js';
export type {
  ConnectedEvent,
  DisconnectedEvent,
  GapEvent,
  KeepAliveOptions,
  NotificationListener,
  NotificationListenerOptions,
} from './notificationListener.js';
export { checkNotification, NOTIFICATION_SCHEMA, NOTIFICATION_SCHEMA_V1 } from './checkNotification.js';
export type { DeployNotification, NotificationCheck, ReleaseNotification } from './checkNotification.js';
export type { BackoffOptions } from './reconnectDelay.js';
export type { NotificationSocket, WebSocketConstructor } from './browserGlobals.js';
export type { CiProvider, Notification, NotificationKind, NotificationV1, ReleaseInfo } from '../shared/notification.js';

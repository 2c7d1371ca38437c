/**
 * webpubsub-action: a fast, strict client for the Azure Web PubSub REST data plane.
 * @packageDocumentation
 */
export { WebPubSubServiceClient } from './hubClient.js';
export type { WebPubSubClientOptions, CallOptions, MessageOptions, GroupMember, ClientAccessToken } from './hubClient.js';
export * from './builders.js';
export { AzureKeyCredential, isTokenCredential } from './credentials.js';
export type { AccessToken, TokenCredential, KeyCredential } from './credentials.js';
export { parseConnectionString } from './connectionString.js';
export type { ParsedConnectionString } from './connectionString.js';
export {
  WebPubSubError,
  InvalidArgumentError,
  WebPubSubRequestError,
  WebPubSubConnectionError,
  RequestTimeoutError,
  RequestAbortedError,
} from './errors.js';
export type { WebPubSubRequest, WebPubSubResponse, BodyOptions } from './requests.js';
export type { RetryOptions } from './pipeline.js';
export type { LogLevel, WebPubSubLogger } from './logger.js';
export { redact } from './logger.js';
export type { ContentType, Message, JSONValue } from './payload.js';
export { operations, operationList, API_VERSIONS, DEFAULT_API_VERSION } from './operations.js';
export type { Operation, OperationName, ApiVersion } from './operations.js';
export { PERMISSIONS, CLIENT_PROTOCOLS, MAX_MESSAGE_BYTES } from './validate.js';
export type { Permission, ClientProtocol } from './validate.js';
export { VERSION } from './version.js';
export { CI_PROVIDERS, NOTIFICATION_ID_PATTERN, NOTIFICATION_SCHEMA, NOTIFICATION_SCHEMA_ID, NOTIFICATION_SCHEMA_V1, isNotification } from './notification.js';
export type { CiProvider, Notification, NotificationKind, NotificationSource, NotificationV1, ReleaseInfo } from './notification.js';

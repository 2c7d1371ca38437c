/**
 * Operation `send`: one message to the hub, a group, a user or a connection, optionally counting who was listening
 * at send time.
 */
import { buildSendToAllRequest, buildSendToConnectionRequest, buildSendToGroupRequest, buildSendToUserRequest } from '../shared/builders.js';
import type { WebPubSubServiceClient } from '../shared/hubClient.js';
import type { WebPubSubRequest } from '../shared/requests.js';
import type { Config } from './config.js';
import { execute, type Attempts } from './execute.js';
import type { Message } from './message.js';
import { countRecipients } from './recipients.js';

/** What a send came to. */
export interface SendResult {
  status: number;
  recipients?: number | '1 or more';
}

/** The send request for the config's target. Pure; it checks every argument (the core builders' rules). */
export function buildSendRequest(config: Config, message: Message): WebPubSubRequest {
  const { hub, target, apiVersion, filter, messageTtlSeconds } = config;
  const body = { content: message.body, contentType: message.contentType, apiVersion, messageTtlSeconds };
  const excluded = config.excluded.length ? config.excluded : undefined;
  switch (target.kind) {
    case 'hub':
      return buildSendToAllRequest(hub, { ...body, excluded, filter });
    case 'group':
      return buildSendToGroupRequest(hub, target.group, { ...body, excluded, filter });
    case 'user':
      return buildSendToUserRequest(hub, target.userId, { ...body, filter });
    case 'connection':
      return buildSendToConnectionRequest(hub, target.connectionId, body);
  }
}

/** Sends the message; with count-recipients, first counts the live connections it will reach. */
export async function send(client: WebPubSubServiceClient, config: Config, message: Message, attempts: Attempts, signal: AbortSignal): Promise<SendResult> {
  const recipients = config.countRecipients ? await countRecipients(client, config, attempts, signal) : undefined;
  const { status } = attempts.add(await execute(client, buildSendRequest(config, message), signal));
  return { status, recipients };
}

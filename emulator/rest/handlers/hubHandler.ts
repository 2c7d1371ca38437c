/**
 * Hub-wide operations: broadcast, close all, client tokens, and filter-driven group membership.
 */
import { CLIENT_PATHS } from '../../../shared/operations.js';
import { signJwt } from '../../../shared/tokens.js';
import type { ClientProtocol } from '../../../shared/validate.js';
import { closeAll, fanOut, select } from '../../state/delivery.js';
import { OutboundMessage } from '../../state/outboundMessage.js';
import type { RestRequest } from '../restRequest.js';
import { ResourceHandler } from './context.js';

const DEFAULT_TOKEN_MINUTES = 60;

/** Handlers of the hub-wide operations. */
export class HubHandler extends ResourceHandler {
  sendToAll(request: RestRequest): void {
    const hub = this.hub(request);
    fanOut(hub.connections(), serverMessage(request), request.audience);
  }

  closeAllConnections(request: RestRequest): void {
    const hub = this.hub(request);
    closeAll(hub.connections(), request.query.reason as string | undefined, request.audience);
  }

  /** Signs a client token as the service does: `aud` is the http(s) client URL of this endpoint. */
  async generateClientToken(request: RestRequest): Promise<{ token: string }> {
    const { userId, roles, groups, expirationTimeInMinutes, clientProtocol } = request.query as {
      userId?: string;
      roles?: string[];
      groups?: string[];
      expirationTimeInMinutes?: number;
      clientProtocol?: ClientProtocol;
    };
    const token = await signJwt(
      this.context.accessKey,
      { ...(roles && { role: roles }), ...(groups && { 'webpubsub.group': groups }) },
      {
        audience: `${request.origin}/${CLIENT_PATHS[clientProtocol ?? 'default']}${request.hub}`,
        lifetimeSeconds: (expirationTimeInMinutes ?? DEFAULT_TOKEN_MINUTES) * 60,
        subject: userId || undefined,
      },
    );
    return { token };
  }

  addConnectionsToGroups(request: RestRequest): void {
    const hub = this.hub(request);
    const { groups, filter } = request.groupsFilter!;
    // Match first, then change: joining must not change which connections the filter picks.
    for (const connection of select(hub.connections(), { filter })) for (const group of groups) hub.join(connection, group);
  }

  removeConnectionsFromGroups(request: RestRequest): void {
    const hub = this.hub(request);
    const { groups, filter } = request.groupsFilter!;
    for (const connection of select(hub.connections(), { filter })) for (const group of groups) hub.leave(connection, group);
  }
}

/** A REST payload as a `from: server` message, with the request's `messageTtlSeconds` and metadata. */
export function serverMessage(request: RestRequest): OutboundMessage {
  return new OutboundMessage({ from: 'server' }, request.message!, request.query.messageTtlSeconds as number | undefined, request.metadata);
}

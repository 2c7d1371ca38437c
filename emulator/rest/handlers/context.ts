/**
 * What every REST handler works with. Handlers read a validated `RestRequest`, act on the `Store`, and return the
 * operation's result (nothing, a token or a page) or throw a `ServiceError`; they never touch the HTTP response.
 */
import type { RestRequest } from '../restRequest.js';
import type { ConnectionRecord, HubStore, Store } from '../../state/store.js';

/** Shared by every handler. */
export interface HandlerContext {
  store: Store;
  /** Signs client tokens for `:generateToken`. Kept here, never logged or returned. */
  accessKey: string;
}

/** One operation's handler: `undefined` for no body, `true` for HEAD 200 (false is a thrown 404), or the body. */
export type Handler = (request: RestRequest) => unknown;

/** What the resource handlers share: the context and the lookups every operation starts with. */
export abstract class ResourceHandler {
  protected readonly context: HandlerContext;

  constructor(context: HandlerContext) {
    this.context = context;
  }

  /** The request's hub. */
  protected hub(request: RestRequest): HubStore {
    return this.context.store.hub(request.hub);
  }

  /** The connection named by the request's `connectionId`, if it exists. */
  protected connection(request: RestRequest): ConnectionRecord | undefined {
    return this.hub(request).connection(request.params.connectionId!);
  }
}

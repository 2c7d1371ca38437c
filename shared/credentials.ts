/**
 * The two ways to authenticate: an access key (HS256 JWTs signed here) or a Microsoft Entra token credential.
 * Both are duck-typed so that `@azure/core-auth`'s AzureKeyCredential and any `@azure/identity` credential work.
 */

/** An access key. The key lives in a private field, so it never shows up in logs, inspect or JSON. */
export class AzureKeyCredential {
  #key: string;

  constructor(key: string) {
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    this.#key = key;
  }

  get key(): string {
    return this.#key;
  }

  /** Rotates the key; tokens signed with the old key are dropped from the cache on the next request. */
  update(key: string): void {
    if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string');
    this.#key = key;
  }
}

/** The shape of `@azure/core-auth`'s AccessToken. */
export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

/** The shape of `@azure/core-auth`'s TokenCredential. */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<AccessToken | null>;
}

export type KeyCredential = { readonly key: string };

export function isTokenCredential(credential: unknown): credential is TokenCredential {
  return typeof (credential as TokenCredential | undefined)?.getToken === 'function';
}

export function isKeyCredential(credential: unknown): credential is KeyCredential {
  return typeof (credential as KeyCredential | undefined)?.key === 'string';
}

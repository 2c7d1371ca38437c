/**
 * The one error type of the emulator's REST and handshake paths. Every instance is made by a factory function in
 * `errors.ts`, so the codes and messages live in one file; the request listener turns it into the service's
 * error response.
 */

/** The service's error body (the swagger's bare `ErrorDetail`). */
export interface ErrorDetail {
  code: string;
  message: string;
  target: string | null;
  details: ErrorDetail[];
  inner: { code: string } | null;
}

/** An error the service would answer with: HTTP status, stable code, a message that names the input and the rule. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly status: number;
  /** Sent as the body's `code` and the `x-ms-error-code` header. */
  readonly code: string;
  /** The input at fault (`group`, `api-version`, `Authorization`, ...), when there is one. */
  readonly target: string | null;
  /** Extra response headers (`Retry-After`, `Allow`). */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * @param status - the HTTP status
   * @param code - the stable error code
   * @param message - what went wrong and which rule applies; never a key or a token
   */
  constructor(status: number, code: string, message: string, options: { target?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = options.target ?? null;
    this.headers = options.headers ?? {};
  }

  /** The response body. */
  toBody(): ErrorDetail {
    return { code: this.code, message: this.message, target: this.target, details: [], inner: null };
  }
}

/** dry-run: the requests that would go out, printed with the token masked; nothing is sent. */
import type { WebPubSubRequest } from '../shared/requests.js';
import type { Auth } from './config.js';
import type { RunnerLog } from './runner.js';

const AUTHORIZATION: Readonly<Record<Auth['kind'], string>> = {
  'connection-string': 'Bearer *** (an HS256 JWT signed with the access key; aud = the request URL)',
  'access-key': 'Bearer *** (an HS256 JWT signed with the access key; aud = the request URL)',
  entra: "Bearer *** (a Microsoft Entra token, exchanged for the job's GitHub OIDC token)",
};
/** Bodies longer than this are cut in the log; the `payload` output still has all of it. */
const SHOWN_BODY_CHARS = 4000;

/**
 * Prints each request: method, URL (where the client really sends it), headers (Authorization masked) and body.
 * @param urlOf - the URL the client sends a request to
 * @param notes - lines printed before the requests (what a multi-step operation would do)
 */
export function printDryRun(
  log: RunnerLog,
  urlOf: (request: WebPubSubRequest) => string,
  auth: Auth['kind'],
  requests: readonly WebPubSubRequest[],
  notes: readonly string[] = [],
): void {
  log.info('Dry run: nothing is sent. The request(s) that would go out:');
  for (const note of notes) log.info(note);
  for (const request of requests) {
    log.info(`${request.method} ${urlOf(request)}`);
    log.info(`authorization: ${AUTHORIZATION[auth]}`);
    for (const [name, value] of Object.entries(request.headers)) log.info(`${name}: ${value}`);
    if (request.body !== undefined) {
      const body =
        typeof request.body === 'string' ? request.body : `<${request.body.byteLength} bytes, base64> ${Buffer.from(request.body).toString('base64')}`;
      log.info(body.length > SHOWN_BODY_CHARS ? `${body.slice(0, SHOWN_BODY_CHARS)}… (${body.length} characters in all)` : body);
    }
  }
}

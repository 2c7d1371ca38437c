/** The core client for the config's auth, bounded by timeout-seconds, logging through the runner. */
import { AzureKeyCredential } from '../shared/credentials.js';
import { WebPubSubServiceClient, type WebPubSubClientOptions } from '../shared/hubClient.js';
import type { Config } from './config.js';
import { InputError } from './inputError.js';
import type { Runner } from './runner.js';

/** One attempt never waits longer than this, so retries get their turn within the step's bound. */
const MAX_ATTEMPT_MS = 30_000;

/**
 * @throws InvalidArgumentError for an endpoint the client refuses (e.g. http to a host that is not loopback);
 * InputError when this front-end cannot obtain Entra tokens.
 */
export function createClient(config: Config, runner: Runner): WebPubSubServiceClient {
  const { log } = runner;
  const stepMs = config.timeoutSeconds * 1000;
  const options: WebPubSubClientOptions = {
    apiVersion: config.apiVersion,
    // maxElapsedMs bounds each call, every attempt and wait included; the step's own signal bounds the whole step.
    retry: { maxRetries: config.retries, maxElapsedMs: stepMs },
    timeoutMs: Math.min(MAX_ATTEMPT_MS, stepMs),
    // Each attempt's request line, status and duration reach the log as debug lines when RUNNER_DEBUG=1; the client
    // redacts every line before it gets here.
    logger: { debug: (line) => log.debug(line), info: (line) => log.info(line), warning: (line) => log.warning(line) },
    logLevel: log.isDebug?.() ? 'debug' : 'info',
  };
  const { auth, hub } = config;
  switch (auth.kind) {
    case 'connection-string':
      return new WebPubSubServiceClient(auth.connectionString, hub, options);
    case 'access-key':
      return new WebPubSubServiceClient(auth.endpoint, new AzureKeyCredential(auth.accessKey), hub, options);
    case 'entra': {
      if (!runner.entraCredential) throw new InputError('client-id', 'signs in with Microsoft Entra, which this front-end cannot do');
      const { endpoint, kind: _kind, ...settings } = auth;
      return new WebPubSubServiceClient(endpoint, runner.entraCredential(settings, Math.min(MAX_ATTEMPT_MS, stepMs)), hub, options);
    }
  }
}

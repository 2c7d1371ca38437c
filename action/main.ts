/**
 * The Action's coordinator: read and check every input (secrets masked first), build the requests (which checks
 * every argument by the core's rules), then run one operation through the core client and report. A bad input
 * fails the step before anything is sent; a failure of the service or the network fails it too, or with
 * fail-on-error: false becomes a warning and ok=false.
 */
import { checkNotification } from '../browser/checkNotification.js';
import { redact } from '../shared/logger.js';
import { isRetriedStatus } from '../shared/pipeline.js';
import type { WebPubSubRequest } from '../shared/requests.js';
import type { WebPubSubServiceClient } from '../shared/hubClient.js';
import { buildCloseRequest, buildWaveRequests, close } from './close.js';
import { readConfig, type Config } from './config.js';
import type { ActionCore } from './core.js';
import { printDryRun } from './dryRun.js';
import { Attempts } from './execute.js';
import { createClient } from './client.js';
import { createGitHubRunner } from './githubRunner.js';
import { asInputError, InputError, isInputError } from './inputError.js';
import type { Message } from './message.js';
import { buildNotification, releaseFromEvent } from './notification.js';
import { buildRecipientsRequest } from './recipients.js';
import { report, type Outcome } from './report.js';
import type { FailureKind, Runner, RunResult } from './runner.js';
import { buildSendRequest, send } from './send.js';

/**
 * Runs the Action. Never throws: every failure ends in `setFailed` or, when allowed, a warning.
 * @param env - the runner's environment (a parameter for tests)
 */
export async function run(core: ActionCore, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await runWith(createGitHubRunner(core, env));
}

/**
 * Runs one operation on any front-end. Never throws: every failure ends in `runner.fail` or, with
 * fail-on-error: false, a warning; either way the result says what happened.
 */
export async function runWith(runner: Runner): Promise<RunResult> {
  const { context, log } = runner;
  const started = performance.now();
  const attempts = new Attempts();
  const elapsed = () => performance.now() - started;
  let config: Config | undefined;
  let client: WebPubSubServiceClient | undefined;
  let payload: string | undefined;
  let closed: number | undefined;
  try {
    config = readConfig(runner);
    let message = config.operation === 'send' && config.message?.kind !== 'release-tag' ? (config.message ?? defaultMessage(runner, config)) : undefined;
    // Building every request checks every argument by the core's rules before anything is sent; the client's
    // constructor checks the endpoint. A release announcement's body is not known yet: a stand-in checks the rest.
    const notification = { id: config.id, schema: config.notificationSchema };
    const standIn = () => notificationMessage(buildNotification(context.source, notification), runner);
    const requests = plan(config, config.operation === 'send' ? (message ?? standIn()) : undefined);
    client = createClient(config, runner);
    payload = message?.output;

    if (config.dryRun) {
      printDryRun(log, (request) => client!.requestUrl(request), config.auth.kind, requests, dryRunNotes(config));
      const outputs = await report(runner, config, { ok: true, attempts: 0, durationMs: elapsed(), payload, result: 'dry run' });
      return { ok: true, outputs };
    }
    const signal = AbortSignal.timeout(config.timeoutSeconds * 1000);
    try {
      if (config.operation === 'send') {
        if (!message) {
          const { fetchRelease } = await import('./releaseTag.js');
          const tag = (config.message as { tag: string }).tag;
          const release = await fetchRelease(tag, config.githubToken, context.github!);
          message = notificationMessage(buildNotification(context.source, notification, release), runner);
          payload = message.output;
        }
        const result = await send(client, config, message, attempts, signal);
        describeSend(runner, config, result.status, attempts, elapsed(), result.recipients);
        const outputs = await report(runner, config, { ok: true, ...result, attempts: attempts.total, durationMs: elapsed(), payload, result: 'ok' });
        return { ok: true, outputs };
      }
      const result = await close(client, config, { log, attempts, signal, progress: (count) => (closed = count) });
      log.info(
        `Closed the connections of ${targetText(config)} in hub ${config.hub}: ${result.status}, ${attempts.describe()}, in ${Math.round(elapsed())} ms`,
      );
      const outputs = await report(runner, config, { ok: true, ...result, attempts: attempts.total, durationMs: elapsed(), result: 'ok' });
      return { ok: true, outputs };
    } catch (error) {
      // The client's bound on one call (maxElapsedMs) and the step's signal are the same timeout-seconds: whichever
      // fires first, the user hears about the input they set.
      const overall = (error as { overall?: unknown }).overall === true;
      throw (signal.aborted || overall) && !isInputError(error)
        ? new StepTimeoutError(runner.wording.mention('timeout-seconds'), config.timeoutSeconds, error)
        : error;
    }
  } catch (thrown) {
    const error = asInputError(thrown) as Error & { status?: unknown; attempts?: unknown; code?: unknown };
    const message = redact(isInputError(error) ? error.wordedFor(runner.wording) : `${error?.message ?? String(error)}${hintFor(error, config, runner)}`);
    const outcome: Outcome = {
      ok: false,
      status: typeof error?.status === 'number' ? error.status : undefined,
      attempts: attempts.total + (typeof error?.attempts === 'number' ? error.attempts : 0),
      durationMs: elapsed(),
      payload,
      closed,
      result: isInputError(error) ? 'invalid input' : `failed (${typeof error?.code === 'string' ? error.code : (error?.name ?? 'Error')})`,
    };
    const outputs = await report(runner, isInputError(error) ? undefined : config, outcome).catch(() => ({}));
    // A bad input is a mistake in the workflow: it fails the step whatever fail-on-error says.
    const failsStep = isInputError(error) || !config || config.failOnError;
    if (failsStep) runner.fail(message);
    else log.warning(`${message} (fail-on-error is false: the step goes on, with ok=false)`);
    return { ok: false, outputs, failure: { kind: failureKind(error, closed), message, failsStep } };
  } finally {
    await client?.close();
  }
}

/**
 * What kind of failure an error is, for a front-end's exit code. An error may say itself (releaseTag.ts does). A
 * 4xx is a refusal; a 5xx, or a 408 or 429 still answered after every retry, is an outage.
 */
function failureKind(error: unknown, closed: number | undefined): FailureKind {
  if (isInputError(error)) return 'input';
  if (closed) return 'partial';
  const { failureKind: kind, status } = (error ?? {}) as { failureKind?: FailureKind; status?: unknown };
  if (kind) return kind;
  return typeof status === 'number' && status < 500 && !isRetriedStatus(status) ? 'refused' : 'unreachable';
}

/**
 * The input to look at when the service turns the credential down: its message ("token signature does not
 * match") says what, not which input gave it.
 */
function hintFor(error: unknown, config: Config | undefined, { wording }: Runner): string {
  const status = (error as { status?: unknown } | undefined)?.status;
  if (!config || (status !== 401 && status !== 403)) return '';
  const { auth } = config;
  if (auth.kind === 'entra') {
    return status === 403
      ? `. The Entra identity of ${wording.mention('client-id')} signed in, but lacks a role on the resource (such as Web PubSub Service Owner)`
      : `. The service did not accept the Entra token of ${wording.mention('client-id')} in ${wording.mention('tenant-id')}: is ${wording.mention('endpoint')} the resource it has access to?`;
  }
  if (status === 403) return '';
  const input = wording.mention(auth.kind);
  return `. The service did not accept the token signed with the key of ${input}: is it a current access key of this resource (keys change when regenerated)?`;
}

/** The step ran past timeout-seconds. */
class StepTimeoutError extends Error {
  readonly code = 'StepTimeout';

  constructor(input: string, seconds: number, cause: unknown) {
    super(`The step ran past ${input} (${seconds} s), retries and waits included; it was stopped`, { cause });
    this.name = 'StepTimeoutError';
  }
}

/** The default payload of a send without message: the event's release announcement, else a deploy notification. */
function defaultMessage(runner: Runner, config: Config): Message {
  const { context } = runner;
  const release = context.github && releaseFromEvent(context.github);
  return notificationMessage(buildNotification(context.source, { id: config.id, schema: config.notificationSchema }, release), runner);
}

/**
 * The default notification as the message, checked by the rules receivers check it by (the browser module's
 * checkNotification): a run outside a CI, or with its variables unset, would give empty fields, which receivers
 * drop. Refused before sending, naming the field and what sets it.
 * @throws InputError for `message`, whose absence is what sends the default notification
 */
function notificationMessage(notification: object, { context }: Runner): Message {
  const check = checkNotification(notification);
  if (!check.valid) {
    throw new InputError(
      'message',
      `is not set, so the default notification would go out, but this run's context leaves it invalid (${check.reason}): ${context.sourceHint}; or give a {message} of your own`,
    );
  }
  const body = JSON.stringify(notification);
  return { kind: 'message', contentType: 'application/json', body, output: body };
}

/** Every request the operation may send, built (and so checked) now. */
function plan(config: Config, message: Message | undefined): WebPubSubRequest[] {
  try {
    if (config.operation === 'close') return config.waves ? buildWaveRequests(config) : [buildCloseRequest(config)];
    const count = config.countRecipients ? [buildRecipientsRequest(config)] : [];
    return [...count, buildSendRequest(config, message!)];
  } catch (error) {
    throw asInputError(error);
  }
}

function dryRunNotes(config: Config): string[] {
  if (config.waves) {
    const { batchSize, intervalSeconds } = config.waves;
    return [
      `It would list the members of group ${config.target.kind === 'group' ? config.target.group : ''}, then close them ${batchSize} at a time, ${intervalSeconds} s apart, each with:`,
    ];
  }
  if (config.countRecipients) return ['It would first count the recipients, then send:'];
  if (config.message?.kind === 'release-tag')
    return [`The body would be the announcement of release ${config.message.tag}, read through the GitHub API; shown with a stand-in body:`];
  return [];
}

function targetText(config: Config): string {
  const { target } = config;
  const text =
    target.kind === 'hub'
      ? 'the hub'
      : target.kind === 'group'
        ? `group ${target.group}`
        : target.kind === 'user'
          ? `user ${target.userId}`
          : `connection ${target.connectionId}`;
  // User and connection ids may hold line breaks, and core.info writes them as they are: the rest of the id would
  // start a line of its own, which the runner reads as a workflow command (`::warning::…`). Escaped as core
  // escapes annotations.
  return text.replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function describeSend({ log }: Runner, config: Config, status: number, attempts: Attempts, ms: number, recipients: number | '1 or more' | undefined): void {
  log.info(`Sent to ${targetText(config)} in hub ${config.hub}: ${status}, ${attempts.describe()}, in ${Math.round(ms)} ms`);
  if (recipients === undefined) return;
  log.info(`Recipients: ${recipients} live connection(s) at send time`);
  if (recipients === 0) log.warning(`Nobody was listening: ${targetText(config)} in hub ${config.hub} had no live connection when the message was sent`);
}

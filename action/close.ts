/**
 * Operation `close`: close the connections of the hub, a group, a user or one connection; or a group's members in
 * waves (batch-size at a time, batch-interval-seconds apart), so that a rollout does not cause a reconnect storm.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildCloseAllConnectionsRequest,
  buildCloseConnectionRequest,
  buildCloseGroupConnectionsRequest,
  buildCloseUserConnectionsRequest,
} from '../shared/builders.js';
import type { WebPubSubServiceClient } from '../shared/hubClient.js';
import type { WebPubSubRequest } from '../shared/requests.js';
import type { Config } from './config.js';
import { execute, type Attempts } from './execute.js';
import { buildRecipientsRequest, listMembers } from './recipients.js';
import type { RunnerLog } from './runner.js';

/** What a close came to. */
export interface CloseResult {
  status: number;
  /** With waves: how many connections were closed. */
  closed?: number;
}

/** The close request for the config's target. Pure; it checks every argument. */
export function buildCloseRequest(config: Config): WebPubSubRequest {
  const { hub, target, apiVersion, reason } = config;
  const excluded = config.excluded.length ? config.excluded : undefined;
  switch (target.kind) {
    case 'hub':
      return buildCloseAllConnectionsRequest(hub, { excluded, reason, apiVersion });
    case 'group':
      return buildCloseGroupConnectionsRequest(hub, target.group, { excluded, reason, apiVersion });
    case 'user':
      return buildCloseUserConnectionsRequest(hub, target.userId, { excluded, reason, apiVersion });
    case 'connection':
      return buildCloseConnectionRequest(hub, target.connectionId, { reason, apiVersion });
  }
}

/** For waves: the list request, and the close request of one member (checked with a stand-in id). */
export function buildWaveRequests(config: Config): WebPubSubRequest[] {
  return [buildRecipientsRequest(config), buildCloseConnectionRequest(config.hub, '<connection-id>', { reason: config.reason, apiVersion: config.apiVersion })];
}

/** What a close runs with besides the client and the config. */
export interface CloseOptions {
  log: RunnerLog;
  attempts: Attempts;
  signal: AbortSignal;
  /** Told the running count after each wave, so a failure later on can say part went through. */
  progress?: (closed: number) => void;
}

/** Closes the target's connections, in one request or in waves. */
export async function close(client: WebPubSubServiceClient, config: Config, options: CloseOptions): Promise<CloseResult> {
  if (config.waves) return closeInWaves(client, config, options);
  const { status } = options.attempts.add(await execute(client, buildCloseRequest(config), options.signal));
  return { status };
}

/**
 * Lists the group's members once, then closes them a batch at a time (each batch in parallel), waiting the interval
 * between batches. Members that join after the listing are not closed: the waves close the group as it was.
 */
async function closeInWaves(client: WebPubSubServiceClient, config: Config, { log, attempts, signal, progress }: CloseOptions): Promise<CloseResult> {
  const { batchSize, intervalSeconds } = config.waves!;
  const excluded = new Set(config.excluded);
  const members = (await listMembers(client, buildRecipientsRequest(config), attempts, signal)).filter((id) => !excluded.has(id));
  const waves = Math.ceil(members.length / batchSize);
  log.info(`Closing ${members.length} connection(s) in ${waves} wave(s) of up to ${batchSize}, ${intervalSeconds} s apart`);
  let closed = 0;
  let status = 204;
  for (let wave = 0; wave < waves; wave++) {
    if (wave > 0 && intervalSeconds > 0) await sleep(intervalSeconds * 1000, undefined, { signal });
    const batch = members.slice(wave * batchSize, (wave + 1) * batchSize);
    const results = await Promise.all(
      batch.map((id) => execute(client, buildCloseConnectionRequest(config.hub, id, { reason: config.reason, apiVersion: config.apiVersion }), signal)),
    );
    for (const result of results) status = attempts.add(result).status;
    closed += batch.length;
    progress?.(closed);
    log.info(`Wave ${wave + 1}/${waves}: closed ${batch.length} connection(s)`);
  }
  return { status, closed };
}

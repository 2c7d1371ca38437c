/**
 * `--state FILE`: what survives a restart. Connections cannot, so the file keeps what belongs to users and hubs:
 * each user's groups and the REST grants of their connections, per hub, and the hubs' event handler settings.
 * Memberships and grants of anonymous connections go with their connections, as the service drops them.
 * After a restart, a user's first connection gets back the groups and grants their connections had, standing in
 * for the reliable recovery a service that never went away would have allowed.
 *
 * Writes are crash-safe (a temporary file in the same folder, fsync, rename, fsync of the folder), so a kill at
 * any moment leaves the previous state or the next, never half of one; and coalesced, so a bulk change writes
 * once. Nothing here runs unless the option is set.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError } from '../../shared/errors.js';
import { PERMISSIONS } from '../../shared/validate.js';
import { type GrantLog, type GrantOp, replay } from './grantLog.js';
import type { ConnectionRecord, HubStore, Store } from './store.js';

/** The `format` every state file carries, so that a file of something else is never taken for one. */
export const STATE_FORMAT = 'webpubsub-emulator-state';
export const STATE_VERSION = 1;
/** How long changes gather before one write. */
export const STATE_WRITE_DELAY_MS = 50;

export interface SavedUser {
  groups: string[];
  grants: GrantOp[];
}

/** The file's content. */
export interface SavedState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  savedAt: string;
  /** Users by hub (the hub as first named). */
  hubs: Record<string, Record<string, SavedUser>>;
  /** The `hubs` option the emulator ran with (event handlers), used when a restart gives none. */
  hubSettings?: Record<string, unknown>;
}

/**
 * Reads the state file; undefined when there is none yet.
 * @throws InvalidArgumentError naming `options.state`, the file, and what is wrong with it.
 */
export function readStateFile(path: string): SavedState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // A fresh start, unless the file could never be written.
      if (!existsSync(dirname(path))) throw stateError(path, `cannot be written: the folder ${dirname(path)} does not exist`);
      return undefined;
    }
    throw stateError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw stateError(path, `is corrupt: not JSON (${(error as Error).message})`);
  }
  return checkState(path, parsed);
}

function checkState(path: string, value: unknown): SavedState {
  if (!isObject(value) || value.format !== STATE_FORMAT) {
    throw stateError(path, `is not an emulator state file (no "format": "${STATE_FORMAT}"); give another path, or remove it`);
  }
  if (value.version !== STATE_VERSION) throw stateError(path, `has version ${JSON.stringify(value.version)}; this emulator reads version ${STATE_VERSION}`);
  if (!isObject(value.hubs)) throw stateError(path, 'is corrupt: "hubs" must be an object');
  for (const [hub, users] of Object.entries(value.hubs)) {
    if (!isObject(users)) throw stateError(path, `is corrupt: hubs.${hub} must be an object`);
    for (const [user, saved] of Object.entries(users)) {
      const where = `hubs.${hub}.${user}`;
      if (!isObject(saved) || !Array.isArray(saved.groups) || !Array.isArray(saved.grants))
        throw stateError(path, `is corrupt: ${where} needs groups and grants`);
      if (!saved.groups.every((group) => typeof group === 'string' && group !== '')) throw stateError(path, `is corrupt: ${where}.groups must be group names`);
      if (!saved.grants.every(isGrant)) throw stateError(path, `is corrupt: ${where}.grants must be {op, permission, target}`);
    }
  }
  if (value.hubSettings !== undefined && !isObject(value.hubSettings)) throw stateError(path, 'is corrupt: "hubSettings" must be an object');
  return value as unknown as SavedState;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isGrant(value: unknown): value is GrantOp {
  return (
    isObject(value) &&
    (value.op === 'grant' || value.op === 'revoke') &&
    (PERMISSIONS as readonly unknown[]).includes(value.permission) &&
    typeof value.target === 'string'
  );
}

const stateError = (path: string, rule: string) => new InvalidArgumentError('options.state', `${path} ${rule}`);

/** What the state file reads the emulator's state from. */
export interface StateSources {
  store: Store;
  grants: GrantLog;
  /** The `hubs` option as given, if any. */
  hubSettings: Record<string, unknown> | undefined;
  /** A write that failed (the next change tries again). */
  onError(error: unknown): void;
}

/** The state file of one running emulator: restores users on their first connection, and keeps the file current. */
export class StateFile {
  readonly path: string;
  readonly #sources: StateSources;
  /** Users of the loaded state not yet back, by lower-case hub. */
  readonly #pending = new Map<string, { name: string; users: Map<string, SavedUser> }>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #closing = false;
  #writes = 0;

  constructor(path: string, saved: SavedState | undefined, sources: StateSources) {
    this.path = path;
    this.#sources = sources;
    removeLeftovers(path);
    for (const [name, users] of Object.entries(saved?.hubs ?? {})) {
      const entry = this.#pending.get(name.toLowerCase()) ?? { name, users: new Map() };
      for (const [user, state] of Object.entries(users)) entry.users.set(user, state);
      this.#pending.set(name.toLowerCase(), entry);
    }
  }

  /** Gives a user's first connection since the restart their saved groups and grants. */
  restore(hub: HubStore, connection: ConnectionRecord): void {
    if (connection.userId === null) return;
    const users = this.#pending.get(hub.name.toLowerCase())?.users;
    const saved = users?.get(connection.userId);
    if (!saved) return;
    users!.delete(connection.userId);
    for (const group of saved.groups) hub.join(connection, group);
    replay(saved.grants, connection.permissions);
    for (const op of saved.grants) this.#sources.grants.record(connection.connectionId, op);
    this.changed();
  }

  /** Something to keep changed: write soon, once for everything that changes meanwhile. */
  changed(): void {
    this.#dirty = true;
    if (this.#closing) return;
    if (this.#timer === undefined && this.#writing === undefined) this.#timer = setTimeout(() => this.#drain(), STATE_WRITE_DELAY_MS);
  }

  /** Writes what is pending now and stops writing (before the emulator lets go of its connections). */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    if (this.#dirty) await this.#drainNow();
  }

  /** How many times the file was written. */
  get writes(): number {
    return this.#writes;
  }

  /** The state as it is now. */
  snapshot(): SavedState {
    const hubs: SavedState['hubs'] = {};
    for (const { name, users } of this.#pending.values()) {
      if (users.size > 0) hubs[name] = Object.fromEntries(users);
    }
    for (const hub of this.#sources.store.hubs()) {
      const users = (hubs[hub.name] ??= {});
      for (const connection of hub.connections()) {
        if (connection.userId === null) continue;
        const user = (users[connection.userId] ??= { groups: [], grants: [] });
        for (const group of connection.groups) if (!user.groups.includes(group)) user.groups.push(group);
        user.grants.push(...this.#sources.grants.ops(connection.connectionId));
      }
      if (Object.keys(users).length === 0) delete hubs[hub.name];
    }
    const { hubSettings } = this.#sources;
    return { format: STATE_FORMAT, version: STATE_VERSION, savedAt: new Date().toISOString(), hubs, ...(hubSettings && { hubSettings }) };
  }

  #drain(): void {
    this.#timer = undefined;
    void this.#drainNow();
  }

  /** One write at a time; changes during a write are written right after it. */
  #drainNow(): Promise<void> {
    this.#dirty = false;
    this.#writes++;
    this.#writing = writeAtomically(this.path, `${JSON.stringify(this.snapshot(), null, 1)}\n`)
      .catch((error: unknown) => this.#sources.onError(error))
      .finally(() => {
        this.#writing = undefined;
        if (this.#dirty && !this.#closing) this.#timer = setTimeout(() => this.#drain(), STATE_WRITE_DELAY_MS);
      });
    return this.#writing;
  }
}

/** Temporary files of writes a kill cut short: never renamed, so never part of the state. */
function removeLeftovers(path: string): void {
  const prefix = `.${basename(path)}.`;
  try {
    for (const name of readdirSync(dirname(path))) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(path), name), { force: true });
    }
  } catch {
    // An unreadable folder fails the first write, which reports it.
  }
}

const temporaryOf = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

/**
 * Replaces `path` so that a crash at any point leaves the old content or the new: the new content goes to a
 * temporary file in the same folder (a rename across file systems is not atomic), is flushed to disk, renamed over
 * `path`, and the folder is flushed so the rename itself survives a power cut. Owner-only: it may hold handler URLs.
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = temporaryOf(path);
  try {
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Some file systems (and Windows) cannot open or flush a folder; the rename is then as durable as they make it.
  }
}

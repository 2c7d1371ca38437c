/**
 * Pulumi's real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`, the plugin the CLI starts as
 * `pulumi-resource-pulumi-nodejs`), spawned as the CLI would and driven over gRPC the way the engine calls it
 * (PULUMI-NOTES §3). The CLI itself cannot be installed here; everything below the engine is the real thing. The
 * demo and the tests share it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pulumiDir = dirname(require.resolve('@pulumi/pulumi/package.json'));
// The SDK's own gRPC and protobuf copies, so messages and channels match what the host was built with.
const fromSdk = createRequire(join(pulumiDir, 'package.json'));
const grpc = fromSdk('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
const { Struct } = fromSdk('google-protobuf/google/protobuf/struct_pb') as { Struct: { fromJavaScript(value: object): unknown } };
const messages = fromSdk('./proto/provider_pb') as Record<string, new () => Record<string, (...args: unknown[]) => unknown>> & {
  DiffResponse: { DiffChanges: Record<string, number> };
};
const { Status } = fromSdk('./proto/status_pb') as {
  Status: { deserializeBinary(bytes: Uint8Array): { getDetailsList(): { unpack(decode: unknown, name: string): Response | null }[] } };
};
const { ResourceProviderClient } = fromSdk('./proto/provider_grpc_pb') as {
  ResourceProviderClient: new (
    address: string,
    credentials: unknown,
  ) => Record<string, (request: unknown, callback: (error: GrpcError | null, response: Response) => void) => void> & { close(): void };
};

/** The repository root: what `node_modules/webpubsub-action` points at in a consumer project. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

type Properties = Record<string, unknown>;
type Response = { [method: string]: (...args: unknown[]) => unknown };
type GrpcError = Error & { code: number; details: string; metadata?: { get(key: string): (string | Buffer)[] } };

/**
 * A provider error as the engine receives it. `initFailure` is set when the provider reported a partly done
 * create or update: the engine then records the resource with these properties.
 */
export interface ProviderError extends Error {
  code: number;
  initFailure?: { id: string; properties: Properties; reasons: string[] };
}

/** What Diff answered. */
export interface DiffAnswer {
  changes: 'unknown' | 'none' | 'some';
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/**
 * A throwaway Pulumi project directory whose `node_modules/webpubsub-action` is this repository, as `npm install`
 * of the package would make it. The host resolves the provider's `require('webpubsub-action')` from here, as the
 * CLI starts it in the project directory. `extra` maps more package names to directories.
 */
export async function createConsumerProject(extra: Record<string, string> = {}): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wps-pulumi-project-'));
  const modules = join(dir, 'node_modules');
  for (const [name, target] of Object.entries({ 'webpubsub-action': REPO_ROOT, ...extra })) {
    await mkdir(dirname(join(modules, name)), { recursive: true });
    await symlink(target, join(modules, name), 'dir');
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Converts a JavaScript object to the protobuf Struct the RPCs carry; absent (undefined) members are left out, as the engine does. */
const struct = (value: Properties) => Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as object);

/** One running provider host and a gRPC client for it. */
export class ProviderHost {
  readonly #child: ChildProcess;
  readonly #client: InstanceType<typeof ResourceProviderClient>;
  readonly #stderr: string[];

  private constructor(child: ChildProcess, client: InstanceType<typeof ResourceProviderClient>, stderr: string[]) {
    [this.#child, this.#client, this.#stderr] = [child, client, stderr];
  }

  /**
   * Starts the host in `cwd` (a Pulumi project directory) with `env` added to this process's environment, and
   * waits for the port it prints.
   */
  static async start({ cwd, env = {} }: { cwd: string; env?: Record<string, string | undefined> }): Promise<ProviderHost> {
    const child = spawn(process.execPath, [join(pulumiDir, 'cmd', 'dynamic-provider'), '127.0.0.1:0'], {
      cwd,
      env: { ...process.env, PULUMI_NODEJS_PROJECT: 'project', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the provider host exited with ${code}: ${stderr.join('')}`)));
      createInterface({ input: child.stdout! }).once('line', (line) => resolve(line.trim()));
    });
    return new ProviderHost(child, new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()), stderr);
  }

  /** What the host wrote to stderr (the engine would log it). */
  get stderr(): string {
    return this.#stderr.join('');
  }

  #call(method: string, request: unknown): Promise<Response> {
    return new Promise((resolve, reject) => {
      this.#client[method]!(request, (error, response) => {
        if (error) reject(Object.assign(new Error(error.details || error.message), { code: error.code, initFailure: initFailureOf(error) }));
        else resolve(response);
      });
    });
  }

  #request(type: string, fields: Record<string, unknown>): unknown {
    const request = new messages[type]!();
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) request[`set${name[0]!.toUpperCase()}${name.slice(1)}`]!(value);
    }
    return request;
  }

  /** Sends the stack config, as the engine does before any other call (keys namespaced, secrets unwrapped). */
  async configure(config: Record<string, string>): Promise<void> {
    await this.#call('configure', this.#request('ConfigureRequest', { args: struct(config), acceptsecrets: true }));
  }

  async check(urn: string, olds: Properties, news: Properties): Promise<{ inputs: Properties; failures: { property: string; reason: string }[] }> {
    const response = await this.#call('check', this.#request('CheckRequest', { urn, olds: struct(olds), news: struct(news) }));
    const failures = (response.getFailuresList!() as Response[]).map((f) => ({ property: f.getProperty!() as string, reason: f.getReason!() as string }));
    return { inputs: toJavaScript(response.getInputs!()), failures };
  }

  async diff(id: string, urn: string, olds: Properties, news: Properties): Promise<DiffAnswer> {
    const response = await this.#call('diff', this.#request('DiffRequest', { id, urn, olds: struct(olds), news: struct(news) }));
    const names = Object.fromEntries(Object.entries(messages.DiffResponse.DiffChanges).map(([name, value]) => [value, name]));
    const changes = (names[response.getChanges!() as number] ?? '').replace('DIFF_', '').toLowerCase() as DiffAnswer['changes'];
    return { changes, replaces: response.getReplacesList!() as string[], deleteBeforeReplace: response.getDeletebeforereplace!() as boolean };
  }

  async create(urn: string, properties: Properties): Promise<{ id: string; properties: Properties }> {
    const response = await this.#call('create', this.#request('CreateRequest', { urn, properties: struct(properties) }));
    return { id: response.getId!() as string, properties: toJavaScript(response.getProperties!()) };
  }

  /** A refresh passes the stored outputs as `properties`; a `.get` passes only `inputs`. */
  async read(
    id: string,
    urn: string,
    { properties, inputs }: { properties?: Properties; inputs?: Properties },
  ): Promise<{ id: string; properties: Properties; inputs: Properties | undefined }> {
    const request = this.#request('ReadRequest', { id, urn, properties: properties && struct(properties), inputs: inputs && struct(inputs) });
    const response = await this.#call('read', request);
    const returned = response.getInputs!();
    return { id: response.getId!() as string, properties: toJavaScript(response.getProperties!()), inputs: returned ? toJavaScript(returned) : undefined };
  }

  async update(id: string, urn: string, olds: Properties, news: Properties): Promise<Properties> {
    const response = await this.#call('update', this.#request('UpdateRequest', { id, urn, olds: struct(olds), news: struct(news) }));
    return toJavaScript(response.getProperties!());
  }

  async delete(id: string, urn: string, properties: Properties): Promise<void> {
    await this.#call('delete', this.#request('DeleteRequest', { id, urn, properties: struct(properties) }));
  }

  /** Closes the channel and stops the host. */
  async stop(): Promise<void> {
    this.#client.close();
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }
}

/** The ErrorResourceInitFailed detail the host packs into a failed create or update, if any. */
function initFailureOf(error: GrpcError): ProviderError['initFailure'] {
  const [bytes] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!bytes) return undefined;
  const ErrorResourceInitFailed = messages.ErrorResourceInitFailed as unknown as { deserializeBinary(bytes: Uint8Array): Response };
  for (const detail of Status.deserializeBinary(bytes as Buffer).getDetailsList()) {
    const failure = detail.unpack(ErrorResourceInitFailed.deserializeBinary, 'pulumirpc.ErrorResourceInitFailed');
    if (failure) return { id: failure.getId!() as string, properties: toJavaScript(failure.getProperties!()), reasons: failure.getReasonsList!() as string[] };
  }
  return undefined;
}

function toJavaScript(value: unknown): Properties {
  return (value as { toJavaScript(): Properties }).toJavaScript();
}

/** The URN the engine would give a resource of `type` named `name` in stack `dev` of project `project`. */
export function urnOf(type: 'GroupMembership' | 'PermissionGrant', name: string): string {
  return `urn:pulumi:dev::project::pulumi-nodejs:dynamic/webpubsub:${type}::${name}`;
}

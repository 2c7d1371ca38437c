/**
 * Where the provider's credentials come from, resolved inside the provider host at call time, never captured:
 * the stack config `webpubsub:connectionString` (a secret; the host hands it to `configure` unwrapped), else the
 * `WEBPUBSUB_CONNECTION_STRING` environment variable, else Microsoft Entra through `@azure/identity`'s
 * `DefaultAzureCredential` for an endpoint with no connection string.
 *
 * Pulumi serializes this module's functions by value into every resource's state, with the provider. So it has no
 * value imports (a module captured by reference would pin a file path into state), it loads the core client and
 * `@azure/identity` by package name with `require` inside the functions, and it keeps no secret anywhere but in
 * the settings object that `configure` fills inside the host.
 */
import type * as Core from '../shared/index.js';

/** What `configure` reads from the stack config. `connectionString` exists only inside the provider host. */
export interface ProviderSettings {
  connectionString?: string;
  endpoint?: string;
  maxRetries?: number;
  retryDelayMs?: number;
}

/** The subset of Pulumi's dynamic-provider config the provider reads (`get` of a namespaced key). */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** What a provider method needs from the core client module. */
export type CoreModule = typeof Core;

/** Loads the core client by the package's own name, at call time, so nothing of it is serialized into state. */
function loadCore(): CoreModule {
  return require('webpubsub-action') as CoreModule;
}

/**
 * Reads the provider settings from the stack config. Numbers that do not parse are ignored rather than failing
 * every resource: the client's defaults apply.
 */
function settingsFrom(config: ConfigSource): ProviderSettings {
  const read = (key: string): string | undefined => {
    try {
      const value = config.get(`webpubsub:${key}`);
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    } catch {
      // A host without a Configure call has no config object behind `get`.
      return undefined;
    }
  };
  const integer = (key: string): number | undefined => {
    const value = read(key);
    return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
  };
  return {
    connectionString: read('connectionString'),
    endpoint: read('endpoint'),
    maxRetries: integer('maxRetries'),
    retryDelayMs: integer('retryDelayMs'),
  };
}

/** The connection string in force: stack config first, then the environment at call time. */
function connectionStringOf(settings: ProviderSettings): string | undefined {
  const fromEnv = process.env.WEBPUBSUB_CONNECTION_STRING;
  return settings.connectionString ?? (fromEnv && fromEnv.trim() !== '' ? fromEnv : undefined);
}

/**
 * The endpoint a resource without an `endpoint` input uses: `webpubsub:endpoint`, else the connection string's.
 * @throws InvalidArgumentError (`connectionString`) for a malformed connection string; the message never holds it.
 */
function defaultEndpoint(core: CoreModule, settings: ProviderSettings): string | undefined {
  if (settings.endpoint !== undefined) return settings.endpoint;
  const connectionString = connectionStringOf(settings);
  return connectionString === undefined ? undefined : core.parseConnectionString(connectionString).endpoint;
}

/** `endpoint` as the core client writes it (origin and path, no trailing slash), checked by the client's rules. */
function normalizeEndpoint(core: CoreModule, endpoint: string): string {
  // The client checks the scheme and the loopback rule for plain http; building one opens no socket.
  const client = new core.WebPubSubServiceClient(endpoint, new core.AzureKeyCredential('unused'), 'hub', { logLevel: 'off' });
  void client.close();
  return client.endpoint;
}

/** Whether `@azure/identity` can be loaded from where the provider host runs (the Pulumi project). */
function hasIdentityPackage(): boolean {
  try {
    require.resolve('@azure/identity');
    return true;
  } catch {
    return false;
  }
}

const IDENTITY_MISSING =
  'has no connection string (stack config webpubsub:connectionString or WEBPUBSUB_CONNECTION_STRING), so the ' +
  "provider would sign in with Microsoft Entra through @azure/identity's DefaultAzureCredential, but @azure/identity " +
  'is not installed in this project: run `npm install @azure/identity`, or set ' +
  '`pulumi config set --secret webpubsub:connectionString <connection string>`';

/**
 * A client for `hub` at `endpoint`, with the credential in force. The caller closes it.
 * @throws Error naming what is missing or mismatched; never a message holding the connection string or key.
 */
function createClient(core: CoreModule, settings: ProviderSettings, hub: string, endpoint: string): Core.WebPubSubServiceClient {
  const retry = {
    ...(settings.maxRetries !== undefined && { maxRetries: settings.maxRetries }),
    ...(settings.retryDelayMs !== undefined && { baseDelayMs: settings.retryDelayMs }),
  };
  const options = { retry };
  const connectionString = connectionStringOf(settings);
  if (connectionString !== undefined) {
    const parsed = core.parseConnectionString(connectionString);
    if (normalizeEndpoint(core, parsed.endpoint) !== endpoint) {
      throw new Error(
        `The resource's endpoint ${endpoint} is not the endpoint of the configured connection string ` +
          `(${parsed.endpoint}); set the connection string of that service, or remove the endpoint input`,
      );
    }
    return new core.WebPubSubServiceClient(connectionString, hub, options);
  }
  let identity: { DefaultAzureCredential: new () => Core.TokenCredential };
  try {
    identity = require('@azure/identity');
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') throw new Error(`The endpoint ${endpoint} ${IDENTITY_MISSING}`);
    throw error;
  }
  return new core.WebPubSubServiceClient(endpoint, new identity.DefaultAzureCredential(), hub, options);
}

/**
 * The endpoint a resource addresses: its `endpoint` input, else the default, normalized. Returns a reason
 * instead when there is none, or when Entra sign-in would be needed and `@azure/identity` is missing.
 */
function resolveEndpoint(core: CoreModule, settings: ProviderSettings, input: unknown): { endpoint: string } | { reason: string } {
  let endpoint: string | undefined;
  try {
    const raw = input ?? defaultEndpoint(core, settings);
    endpoint = raw === undefined ? undefined : normalizeEndpoint(core, raw as string);
  } catch (error) {
    const argument = (error as { argument?: string }).argument;
    if (argument === undefined) throw error;
    const rule = (error as Error).message.slice(argument.length + 1);
    return { reason: argument === 'connectionString' ? `comes from the connection string, which ${rule}` : rule };
  }
  if (endpoint === undefined) {
    return {
      reason:
        'is not set and there are no credentials: run `pulumi config set --secret webpubsub:connectionString <connection string>`, ' +
        'set WEBPUBSUB_CONNECTION_STRING, or set webpubsub:endpoint (or this input) to sign in with Microsoft Entra',
    };
  }
  if (connectionStringOf(settings) === undefined && !hasIdentityPackage()) return { reason: IDENTITY_MISSING };
  return { endpoint };
}

/** A client kept for reuse, with the connection string it was made with (none for Entra). */
interface KeptClient {
  connectionString: string | undefined;
  client: Core.WebPubSubServiceClient;
}

/**
 * Runs `work` with a client for `hub` at `endpointInput` (or the default endpoint). Clients are kept for the life
 * of the provider host, one per configuration, so that its keep-alive connections (and an Entra token) serve every
 * call after the first. They live in a process-wide registry (a value captured by the provider would be serialized
 * into state); no key holds the connection string.
 * @throws Error saying why there is no endpoint or credential.
 */
async function withClient<T>(
  settings: ProviderSettings,
  hub: string,
  endpointInput: string | undefined,
  work: (client: Core.WebPubSubServiceClient, endpoint: string) => Promise<T>,
): Promise<T> {
  const core = loadCore();
  const resolved = resolveEndpoint(core, settings, endpointInput);
  if ('reason' in resolved) throw new Error(`endpoint ${resolved.reason}`);
  // Keyed by the settings object (one per Configure) and then by endpoint and hub; the credential in force is
  // compared, not used as a key, since it may come from the environment at call time.
  const registry = globalThis as { [name: symbol]: WeakMap<ProviderSettings, Map<string, KeptClient>> | undefined };
  const bySettings = (registry[Symbol.for('webpubsub-action.pulumi.clients')] ??= new WeakMap());
  let kept = bySettings.get(settings);
  if (!kept) bySettings.set(settings, (kept = new Map()));
  const key = `${resolved.endpoint} ${hub}`;
  const connectionString = connectionStringOf(settings);
  let entry = kept.get(key);
  if (!entry || entry.connectionString !== connectionString) {
    void entry?.client.close();
    entry = { connectionString, client: createClient(core, settings, hub, resolved.endpoint) };
    kept.set(key, entry);
  }
  const client = entry.client;
  return work(client, resolved.endpoint);
}

/**
 * Checks an `endpoint` input (or its absence) for `check`: the normalized endpoint, or the input as it was after
 * adding a failure that says what is wrong or missing.
 */
function checkEndpoint(core: CoreModule, settings: ProviderSettings, input: unknown, failures: { property: string; reason: string }[]): unknown {
  const resolved = resolveEndpoint(core, settings, input);
  if ('endpoint' in resolved) return resolved.endpoint;
  failures.push({ property: 'endpoint', reason: `endpoint ${resolved.reason}` });
  return input;
}

/** The credential functions a provider carries (serialized by value with it). */
export const credentials = { loadCore, settingsFrom, checkEndpoint, withClient };

/**
 * What each provider object starts from, spread into it: the credential functions, the settings that
 * `configure` fills inside the provider host, and `configure` itself. A fresh object per provider.
 */
export function configurable() {
  return {
    credentials,
    settings: {} as ProviderSettings,
    /** Reads the stack config (`webpubsub:*`) inside the provider host. */
    async configure(request: { config: ConfigSource }): Promise<void> {
      this.settings = this.credentials.settingsFrom(request.config);
    },
  };
}

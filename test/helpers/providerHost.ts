/**
 * The provider host for test files: the serialized providers of the repository's test program, and a host per file
 * (the host itself is scripts/harness/providerHost.ts, which the demo uses too).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from '@jest/globals';
import { createConsumerProject, ProviderHost } from '../../scripts/harness/providerHost.js';
import { runMockedProgram } from './mockedProgram.js';

export * from '../../scripts/harness/providerHost.js';

/** The serialized providers of the repository's test program, by resource class. */
export interface SerializedProviders {
  membership: string;
  grant: string;
}

/** The program whose registrations give the serialized providers (test/provider/programs/deployments.ts). */
const PROGRAM = fileURLToPath(new URL('../provider/programs/deployments.js', import.meta.url));

/**
 * The providers serialized exactly as a program produces them: the test program runs under mocks, in a process
 * of its own, and each class's `__provider` is taken from what it registered.
 */
export async function serializedProviders(): Promise<SerializedProviders> {
  const { registrations } = await runMockedProgram(PROGRAM);
  const of = (type: string) => registrations.find((r) => r.type === `pulumi-nodejs:dynamic/webpubsub:${type}`)!.inputs.__provider;
  return { membership: of('GroupMembership'), grant: of('PermissionGrant') };
}

/**
 * Registers hooks that give a test file the serialized providers and one provider host in a throwaway project,
 * configured with `config()` (called once the emulator is up), stopped after the file.
 */
export function useProviderHost(config: () => Record<string, string>): { readonly host: ProviderHost; readonly providers: SerializedProviders } {
  let host: ProviderHost | undefined;
  let providers: SerializedProviders | undefined;
  let project: Awaited<ReturnType<typeof createConsumerProject>> | undefined;
  beforeAll(async () => {
    [providers, project] = await Promise.all([serializedProviders(), createConsumerProject()]);
    host = await ProviderHost.start({ cwd: project.dir });
    await host.configure(config());
  });
  afterAll(async () => {
    await host?.stop();
    await project?.remove();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the provider host starts in beforeAll; use it inside tests');
    return value;
  };
  return {
    get host() {
      return ready(host);
    },
    get providers() {
      return ready(providers);
    },
  };
}

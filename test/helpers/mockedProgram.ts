/**
 * Runs a Pulumi program the way `pulumi.runtime.setMocks` unit tests do, in a process of its own as a program
 * runs under the CLI, and returns every resource it registered with its inputs, `__provider` (the serialized
 * provider, byte for byte what the engine would store) included.
 *
 * The child is this same file: `node mockedProgram.js <program>` sets the mocks, loads the program, waits for
 * every resource and output it exports, and prints the registrations as JSON. Config reaches it as it reaches a
 * program under the CLI: `PULUMI_CONFIG` and `PULUMI_CONFIG_SECRET_KEYS`.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type * as Pulumi from '@pulumi/pulumi';

/** One resource the program registered. */
export interface Registration {
  type: string;
  name: string;
  /** The id given for a read (`.get`), absent for a managed resource. */
  id?: string;
  inputs: Record<string, unknown> & { __provider: string };
}

/** What a program run gave. */
export interface ProgramRun {
  registrations: Registration[];
  /** The program's exports (stack outputs), resolved. */
  outputs: Record<string, unknown>;
}

const SELF = fileURLToPath(import.meta.url);

/**
 * Runs `program` (a compiled .js file, ESM or CommonJS) under mocks.
 * @param options.config - stack config by namespaced key; `secrets` lists the secret ones
 * @param options.env - variables added to the child's environment
 */
export async function runMockedProgram(
  program: string,
  { config = {}, secrets = [], env = {}, cwd }: { config?: Record<string, string>; secrets?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<ProgramRun> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--no-warnings', SELF, program], {
    cwd,
    env: { ...process.env, ...env, PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secrets) },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: Error & { stderr?: string; code?: number }) => {
    throw new Error(`the program failed (exit code ${error.code}): ${error.stderr}`);
  });
  return JSON.parse(stdout.slice(stdout.indexOf('{"registrations"'))) as ProgramRun;
}

async function main(program: string): Promise<void> {
  // The program's own copy of the SDK, as resolved from the program: mocks set on another copy would not apply.
  const pulumi = createRequire(program)('@pulumi/pulumi') as typeof Pulumi;
  const registrations: Registration[] = [];
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push({ type: args.type, name: args.name, ...(args.id && { id: args.id }), inputs: args.inputs });
        return { id: args.id ?? `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    'project',
    'dev',
    false,
  );
  const exports = (await import(pathToFileURL(program).href)) as Record<string, unknown>;
  // An output the mocks left unknown never runs an `apply`; Output's own promise gives it (as undefined) anyway.
  const settle = (value: unknown): Promise<unknown> => {
    const output = pulumi.Resource.isInstance(value) ? (value as Pulumi.CustomResource).urn : value;
    return pulumi.Output.isInstance(output)
      ? (output as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(false)
      : Promise.resolve(output);
  };
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exports)) {
    if (key !== 'default' && key !== '__esModule') outputs[key] = await settle(value);
  }
  process.stdout.write(JSON.stringify({ registrations, outputs }));
}

if (process.argv[1] === SELF) await main(process.argv[2]!);

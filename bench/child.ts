/**
 * A bench process of its own, spoken to over IPC with one reply per command, in order. Sections fork their own
 * module with a role argument, so that each contender keeps its heap, its JIT state and its share of the machine.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export class Child<Command, Reply> {
  readonly #child: ChildProcess;
  readonly #replies: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];

  /** Forks `module` (an `import.meta.url`) with `args`. */
  constructor(module: string, args: string[]) {
    this.#child = fork(fileURLToPath(module), args, { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: Reply) => this.#replies.shift()?.resolve(reply));
    this.#child.on('exit', (code) => {
      for (const reply of this.#replies.splice(0)) reply.reject(new Error(`a bench process (${args.join(' ')}) exited (${code})`));
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** The next reply, without a command (the first one: `ready`). */
  next(): Promise<Reply> {
    return new Promise((resolve, reject) => this.#replies.push({ resolve, reject }));
  }

  ask(command: Command): Promise<Reply> {
    const reply = this.next();
    this.#child.send(command as object);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, 'exit');
    // Children exit when the channel closes (a profiler, if any, then writes its profile); kill one that does not.
    this.#child.disconnect();
    const stuck = setTimeout(() => this.#child.kill(), 5000);
    await exited;
    clearTimeout(stuck);
  }
}

/** The role a bench module was forked with (its first argument), or undefined when it was imported. */
export const roleOf = (module: string): string | undefined => (process.argv[1] === fileURLToPath(module) ? process.argv[2] : undefined);

/**
 * Pins `alone` (every thread of each process) to the last core and `rest` to the others, so that a measured process
 * and its peer never share a core: otherwise the scheduler now and then puts them on one, and a round measures
 * that. The cores as `{ alone, rest }` for the output, or undefined when nothing could be pinned (one core, no
 * taskset).
 */
export function pinApart(alone: number[], rest: number[]): { alone: string; rest: string } | undefined {
  const cores = availableParallelism();
  if (cores < 2) return undefined;
  const cpus = { alone: String(cores - 1), rest: cores === 2 ? '0' : `0-${cores - 2}` };
  const pin = (list: string, pid: number) => spawnSync('taskset', ['-a', '-pc', list, String(pid)], { stdio: 'ignore' }).status === 0;
  return alone.every((pid) => pin(cpus.alone, pid)) && rest.every((pid) => pin(cpus.rest, pid)) ? cpus : undefined;
}

/**
 * Everything the CLI writes. Human lines go to stderr, so stdout carries only `--json`'s one object, for `jq`.
 * Every write passes the masked secrets (as the runner masks `::add-mask::` values) and the core's `redact`.
 */
import { redact } from '../shared/logger.js';

/** The program's name in its messages. */
export const PROGRAM = 'webpubsub-action';

export class Output {
  readonly #secrets = new Set<string>();
  readonly #stderr: (text: string) => void;
  readonly #stdout: (text: string) => void;

  constructor(
    public verbose: boolean,
    streams: { stdout: (text: string) => void; stderr: (text: string) => void } = {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    },
  ) {
    this.#stdout = streams.stdout;
    this.#stderr = streams.stderr;
  }

  /** Hides `secret` (and each of its lines: a multi-line value may be printed a line at a time) from every write. */
  mask(secret: string): void {
    for (const part of [secret, ...secret.split(/\r?\n/)]) if (part.trim().length >= 3) this.#secrets.add(part.trim());
  }

  /** `text` with every masked secret as `***`, longest first (a secret may contain a shorter one). */
  clean(text: string): string {
    let result = text;
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length)) result = result.split(secret).join('***');
    return redact(result);
  }

  info(line: string): void {
    this.#stderr(`${this.clean(line)}\n`);
  }

  warning(line: string): void {
    this.#stderr(`warning: ${this.clean(line)}\n`);
  }

  debug(line: string): void {
    if (this.verbose) this.#stderr(`debug: ${this.clean(line)}\n`);
  }

  error(line: string): void {
    this.#stderr(`${PROGRAM}: error: ${this.clean(line)}\n`);
  }

  /** Text for stdout as it is (help, the version): nothing secret is ever in it. */
  print(text: string): void {
    this.#stdout(text);
  }

  /** The `--json` object, masked like every other write. */
  json(value: object): void {
    this.#stdout(`${this.clean(JSON.stringify(value))}\n`);
  }
}

/**
 * The CLI's exit codes, one per way a command ends, so a pipeline can tell a mistake in its own script from an
 * outage. docs/cli.md lists them; a test checks each.
 */
export const EXIT_CODES = {
  /** Done (also when fail-on-error is false and the service failed: the outputs say ok=false). */
  ok: 0,
  /** Something the CLI did not expect: a bug to report. */
  internal: 1,
  /** A bad flag, value, variable or file: nothing was sent. */
  input: 2,
  /** The service refused the request (4xx): auth, permissions, a missing connection. Not retried. */
  refused: 3,
  /** The service could not be reached, or kept failing (5xx, 429, timeouts) after every retry. */
  unreachable: 4,
  /** A close in waves stopped part-way: some connections were closed, the rest not. */
  partial: 5,
} as const;

export type ExitReason = keyof typeof EXIT_CODES;

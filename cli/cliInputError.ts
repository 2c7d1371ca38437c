/**
 * A mistake on the command line found before the Action's code runs (an unknown flag, a secret given as a value,
 * an unreadable file). It ends the command with the bad-input exit code, and nothing is sent.
 */
export class CliInputError extends Error {
  /**
   * @param flag - the flag or variable at fault (`--hub`, `WEBPUBSUB_ACCESS_KEY`), or undefined for the line as a whole
   * @param rule - what is wrong, as a sentence that follows the flag's name
   */
  constructor(
    readonly flag: string | undefined,
    rule: string,
  ) {
    super(flag ? `${flag} ${rule}` : rule);
    this.name = 'CliInputError';
  }
}

/**
 * The one definition of the outputs: action.yml's `outputs:` (`npm run generate`), what report.ts sets, the CLI's
 * printed outputs, and the output tables of docs/action.md and docs/cli.md. Descriptions name inputs as `{name}`
 * (see inputs.ts).
 */

export interface OutputDefinition {
  name: string;
  description: string;
}

export const OUTPUTS = [
  { name: 'ok', description: 'true when the operation succeeded (or, in a dry run, validated).' },
  {
    name: 'status',
    description: "The HTTP status of the operation's request (202 for a send, 204 for a close); empty when nothing was sent.",
  },
  { name: 'attempts', description: "Attempts made, retries included, over all the step's requests." },
  { name: 'duration-ms', description: 'How long the operation took, in milliseconds.' },
  { name: 'payload', description: 'The message body that was sent (or would be, in a dry run); base64 for binary.' },
  { name: 'id', description: "The send's id (see the {id} input); set for operation send." },
  {
    name: 'recipients',
    description:
      'With {count-recipients}, how many live connections the message went to: for a group the members at send time (less {excluded}), 1 or 0 for a connection, 0 or "1 or more" for a user (the service only says whether a user is connected).',
  },
  { name: 'closed', description: 'With {batch-size}, how many connections the waves closed.' },
] as const satisfies readonly OutputDefinition[];

export type OutputName = (typeof OUTPUTS)[number]['name'];

/**
 * Turns the `message` / `message-file` input into the body that goes out: its content type decided (`auto`: JSON
 * when it parses, else text), its placeholders filled in safely, its size checked against the service's 1 MiB.
 */
import { checkSize, type ContentType } from '../shared/payload.js';
import { checkInput, InputError } from './inputError.js';
import type { ContentTypeInput } from './inputs.js';
import { neutralizeJson, renderJson, renderText, TemplateError, type TemplateScope } from './template.js';

/** A message ready to send. */
export interface Message {
  kind: 'message';
  contentType: ContentType;
  body: string | Uint8Array;
  /** The `payload` output: the body as text, or base64 for binary. */
  output: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * @param input - the input the message came from (`message` or `message-file`), for errors
 * @throws InputError naming that input
 */
export function prepareMessage(input: string, bytes: Uint8Array, contentType: ContentTypeInput, scope: TemplateScope): Message {
  if (contentType === 'binary')
    return sized(input, { kind: 'message', contentType: 'application/octet-stream', body: bytes, output: Buffer.from(bytes).toString('base64') });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InputError(input, 'is not UTF-8 text: use content-type binary to send bytes');
  }
  let json = contentType === 'json';
  if (contentType !== 'text') {
    try {
      JSON.parse(neutralizeJson(text));
      json = true;
    } catch (error) {
      if (contentType === 'json') throw new InputError(input, `must be valid JSON with content-type json: ${(error as Error).message}`);
    }
  }
  let body: string;
  try {
    body = json ? renderJson(text, scope) : renderText(text, scope);
  } catch (error) {
    if (error instanceof TemplateError) throw new InputError(input, error.message);
    throw error;
  }
  return sized(input, { kind: 'message', contentType: json ? 'application/json' : 'text/plain', body, output: body });
}

/** The service's 1 MiB limit, by the core client's own check, reported against the input. */
function sized(input: string, message: Message): Message {
  checkInput(input, () => checkSize(message.body));
  return message;
}

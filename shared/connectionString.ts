/**
 * Parses `Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;[Port=<n>;]`.
 * Keys are case-insensitive; `Version` and unknown keys are ignored. Errors never echo the string or the key.
 */
import { parseEndpoint } from './endpoint.js';
import { InvalidArgumentError } from './errors.js';

export interface ParsedConnectionString {
  /** The endpoint with `Port` applied and no trailing slash, e.g. `http://localhost:8080`. */
  endpoint: string;
  accessKey: string;
}

const ARGUMENT = 'connectionString';

/**
 * @throws InvalidArgumentError naming the missing or malformed part.
 */
export function parseConnectionString(connectionString: unknown): ParsedConnectionString {
  if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    throw new InvalidArgumentError(ARGUMENT, 'must be a non-empty string like Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0;');
  }
  const parts = new Map<string, string>();
  for (const [index, segment] of connectionString.split(';').entries()) {
    if (segment.trim() === '') continue;
    const equals = segment.indexOf('=');
    if (equals <= 0) {
      throw new InvalidArgumentError(ARGUMENT, `part ${index + 1} is not of the form Key=Value`);
    }
    const key = segment.slice(0, equals).trim().toLowerCase();
    if (parts.has(key)) throw new InvalidArgumentError(ARGUMENT, `has ${segment.slice(0, equals).trim()} twice`);
    // Only the first '=' separates: base64 keys end in '='.
    parts.set(key, segment.slice(equals + 1).trim());
  }
  const rawEndpoint = parts.get('endpoint');
  if (!rawEndpoint) throw new InvalidArgumentError(ARGUMENT, 'is missing Endpoint=<url>');
  const accessKey = parts.get('accesskey');
  // Not "AccessKey=<key>": the Action redacts whatever follows AccessKey= in what it logs, which would make the
  // message read as if a key had been there and was hidden.
  if (!accessKey) throw new InvalidArgumentError(ARGUMENT, 'is missing AccessKey, the access key');

  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawEndpoint) ? rawEndpoint : `https://${rawEndpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidArgumentError(ARGUMENT, 'has an Endpoint that is not a valid URL');
  }
  const port = parts.get('port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new InvalidArgumentError(ARGUMENT, 'has a Port that is not an integer from 1 to 65535');
    }
    url.port = port;
  }
  // The scheme, query and credential rules are the endpoint's own; the loopback rule waits for the client's options.
  return { endpoint: parseEndpoint(ARGUMENT, url.href, true).href, accessKey };
}

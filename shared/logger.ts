/**
 * Pluggable, level-gated logging. Every line passes through `redact`, so no sink ever sees a token or a key.
 */

export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A sink: any subset of the four levels. The Action maps these to `core.debug` / `core.info` / ... */
export type WebPubSubLogger = Partial<Record<LogLevel, (message: string) => void>>;

/** What the client calls; each method is a no-op when its level is off. */
export interface Log {
  readonly debugEnabled: boolean;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

const stderrLogger: WebPubSubLogger = Object.fromEntries(
  LOG_LEVELS.map((level) => [level, (message: string) => process.stderr.write(`[webpubsub] ${level}: ${message}\n`)]),
);

/** A level as the client option takes it: the four levels, the Azure SDK's `verbose` (= `debug`), or `off`. */
export type LogLevelOption = LogLevel | 'verbose' | 'off';

/**
 * Builds the client's log. The threshold is `level`, else `WEBPUBSUB_LOG_LEVEL`, else the Azure SDK's
 * `AZURE_LOG_LEVEL`, else `warning`; `off` silences everything.
 */
export function createLog(logger: WebPubSubLogger = stderrLogger, level?: LogLevelOption): Log {
  const threshold = parseLevel(level) ?? parseLevel(process.env.WEBPUBSUB_LOG_LEVEL) ?? parseLevel(process.env.AZURE_LOG_LEVEL) ?? 'warning';
  const rank = threshold === 'off' ? Infinity : LOG_LEVELS.indexOf(threshold);
  const sink = (at: LogLevel) => {
    const write = logger[at];
    return LOG_LEVELS.indexOf(at) >= rank && write ? (message: string) => write(redact(message)) : () => {};
  };
  return { debugEnabled: LOG_LEVELS.indexOf('debug') >= rank && !!logger.debug, debug: sink('debug'), info: sink('info'), warning: sink('warning') };
}

/** A level by name; `warn` and the Azure SDK's `verbose` are accepted too. Unknown names give undefined. */
export function parseLevel(value: string | undefined): LogLevel | 'off' | undefined {
  const lower = value?.trim().toLowerCase();
  if (lower === 'warn') return 'warning';
  if (lower === 'verbose') return 'debug';
  return lower === 'off' || (LOG_LEVELS as readonly string[]).includes(lower ?? '') ? (lower as LogLevel | 'off') : undefined;
}

const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // Any JWT: three base64url parts, the first one a JSON object ('{"' encodes to 'eyJ').
  [/eyJ[\w-]*\.[\w-]+\.[\w-]+/g, '[redacted-jwt]'],
  [/(\bBearer\s+)[^\s"',;]+/gi, '$1[redacted]'],
  [/(\b(?:access_token|awps_reconnection_token|AccessKey)=)[^\s&;"']+/gi, '$1[redacted]'],
  [/("?(?:authorization|accessKey|access_token)"?\s*:\s*")[^"]*/gi, '$1[redacted]'],
];

/** Removes access keys, bearer tokens and JWTs from free text. */
export function redact(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

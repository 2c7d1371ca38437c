/**
 * The `ui` option: whether the emulator serves the live view, and to whom beyond the developer's own machine.
 */
import { InvalidArgumentError } from '../../shared/errors.js';
import { describe, requireString } from '../../shared/validate.js';
import { checkKnown } from '../common/optionNames.js';

/** What `ui: {...}` may say. */
export interface LiveViewOptions {
  /**
   * Host names the page answers to besides `localhost` and IP addresses (a leading dot allows subdomains:
   * `.example.test`). Every other name is refused, so a site that rebinds its name to 127.0.0.1 gets nothing.
   */
  allowedHosts?: string[];
  /** Answer clients that are not on this machine (default false: loopback only). */
  allowRemote?: boolean;
}

export interface ResolvedLiveView {
  allowedHosts: readonly string[];
  allowRemote: boolean;
}

const NAMES = new Set(['allowedHosts', 'allowRemote']);

/**
 * Undefined when the live view is off.
 * @throws InvalidArgumentError naming the option and its rule.
 */
export function resolveLiveView(ui: boolean | LiveViewOptions | undefined): ResolvedLiveView | undefined {
  if (ui === undefined || ui === false) return undefined;
  if (ui === true) return { allowedHosts: [], allowRemote: false };
  if (typeof ui !== 'object' || ui === null || Array.isArray(ui)) {
    throw new InvalidArgumentError('options.ui', `must be a boolean or an object {allowedHosts, allowRemote} (got ${describe(ui)})`);
  }
  checkKnown('options.ui', ui, NAMES);
  const { allowedHosts = [], allowRemote = false } = ui;
  if (!Array.isArray(allowedHosts)) throw new InvalidArgumentError('options.ui.allowedHosts', `must be an array of host names (got ${describe(allowedHosts)})`);
  allowedHosts.forEach((host, i) => {
    requireString(`options.ui.allowedHosts[${i}]`, host);
    if (/[\s/:@]/.test(host))
      throw new InvalidArgumentError(`options.ui.allowedHosts[${i}]`, `must be a host name without port, scheme or path (got ${JSON.stringify(host)})`);
  });
  if (typeof allowRemote !== 'boolean') throw new InvalidArgumentError('options.ui.allowRemote', `must be a boolean (got ${describe(allowRemote)})`);
  return { allowedHosts: allowedHosts.map((host) => host.toLowerCase()), allowRemote };
}

/**
 * What the CLI reads from the CI it runs in: the notification's run fields, in the shape every CI shares
 * (shared/notification.ts), and the default notification id. One small module per CI reads its own variables.
 */
import { createHash } from 'node:crypto';
import type { GitHubContext } from '../../action/context.js';
import type { CiProvider, NotificationSource } from '../../shared/notification.js';

/** The run as one CI describes it. */
export interface CiRun {
  /** The notification's run fields; a field the CI does not give is '' (or null where the shape allows it). */
  source: NotificationSource;
  /**
   * The default notification id: the same for every retry of one send (and for a second run of the same command
   * in the same job attempt), new for each run and attempt.
   */
  defaultId: string;
  /** On GitHub Actions, its whole context (for `{{ github.event.* }}` and release-tag), as the Action reads it. */
  github?: GitHubContext;
}

/** Which run fields the command line gives (--repository, --sha). */
export interface GivenFields {
  repository?: boolean;
  sha?: boolean;
}

/** One CI: how to tell it is running, and how to read its run. */
export interface CiReader {
  provider: CiProvider;
  /** The CI's name, as its users know it. */
  title: string;
  /** Where the repository and commit come from, for an error when they are missing: `CI_PROJECT_PATH and CI_COMMIT_SHA`. */
  sources: string;
  /** True when `env` is this CI's (its marker variable is set). */
  detect(env: NodeJS.ProcessEnv): boolean;
  /** @param given - the fields the command line sets: git is not asked for what it would only overwrite */
  read(env: NodeJS.ProcessEnv, cwd: string, given?: GivenFields): CiRun;
}

/** An id's characters kept to the notification id's rule (printable ASCII, no spaces), and its length to 128. */
export function idOf(parts: readonly (string | undefined)[]): string {
  const id = parts
    .filter(Boolean)
    .join('-')
    .replace(/[^\x21-\x7e]/g, '_');
  // As the Action does (action/notification.ts): a long id is folded into a digest, so it keeps within 128.
  return id.length <= 128 ? id : `${id.slice(0, 80)}-${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

/** `refs/heads/main` for a branch, `refs/tags/v1` for a tag; '' when there is neither. */
export function fullRef(branch: string | undefined, tag: string | undefined): string {
  if (tag) return `refs/tags/${tag}`;
  return branch ? `refs/heads/${branch}` : '';
}

/** The short name of a full ref: `refs/heads/feature/x` → `feature/x`. */
export function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

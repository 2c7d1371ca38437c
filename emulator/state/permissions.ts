/**
 * A connection's group permissions: from its token's roles at connect, then changed at run time by the REST
 * grant/revoke calls. Role strings (NOTES §5.3):
 * - `webpubsub.joinLeaveGroup` / `webpubsub.sendToGroup`: every group;
 * - `webpubsub.joinLeaveGroup.<group>` / `webpubsub.sendToGroup.<group>`: one group (everything after the second
 *   dot, so group names may hold dots);
 * - `webpubsub.joinLeaveGroups.<pattern>` / `webpubsub.sendToGroups.<pattern>`: groups matching a pattern where `?`
 *   is one character other than `.`, `*` a run of characters other than `.`, `**` any run, and `\` escapes `\`, `*`
 *   and `?`; at most 5 `*`.
 * Other roles are the application's own and grant nothing here.
 */
import type { Permission } from '../../shared/validate.js';

const MAX_PATTERN_STARS = 5;

const ROLE_PERMISSIONS: ReadonlyMap<string, { permission: Permission; pattern: boolean }> = new Map([
  ['webpubsub.joinLeaveGroup', { permission: 'joinLeaveGroup', pattern: false }],
  ['webpubsub.sendToGroup', { permission: 'sendToGroup', pattern: false }],
  ['webpubsub.joinLeaveGroups', { permission: 'joinLeaveGroup', pattern: true }],
  ['webpubsub.sendToGroups', { permission: 'sendToGroup', pattern: true }],
]);

interface Grants {
  /** Granted for every group. */
  all: boolean;
  groups: Set<string>;
  patterns: RegExp[];
}

/** What one connection may do with groups. */
export class PermissionSet {
  readonly #grants: Record<Permission, Grants> = {
    joinLeaveGroup: { all: false, groups: new Set(), patterns: [] },
    sendToGroup: { all: false, groups: new Set(), patterns: [] },
  };

  /**
   * The permissions a token's roles give.
   * @throws Error naming the role when a pattern role is malformed.
   */
  static fromRoles(roles: readonly string[]): PermissionSet {
    const set = new PermissionSet();
    for (const role of roles) {
      const secondDot = role.indexOf('.', 'webpubsub.'.length);
      const prefix = secondDot === -1 ? role : role.slice(0, secondDot);
      const kind = ROLE_PERMISSIONS.get(prefix);
      if (!kind) continue;
      const target = secondDot === -1 ? undefined : role.slice(secondDot + 1);
      if (kind.pattern) {
        if (!target) throw new Error(`'${role}' needs a group pattern after the last dot`);
        set.#grants[kind.permission].patterns.push(compilePattern(role, target));
      } else if (target !== '') {
        set.grant(kind.permission, target);
      }
    }
    return set;
  }

  /** Grants `permission` for the group `target`, or for every group when `target` is undefined. */
  grant(permission: Permission, target?: string): void {
    const grants = this.#grants[permission];
    if (target === undefined) grants.all = true;
    else grants.groups.add(target);
  }

  /**
   * Revokes `permission` for the group `target`; without `target`, revokes it for every group and pattern.
   * Revoking one group leaves a grant for every group (or a matching pattern) in force.
   */
  revoke(permission: Permission, target?: string): void {
    const grants = this.#grants[permission];
    if (target !== undefined) {
      grants.groups.delete(target);
      return;
    }
    grants.all = false;
    grants.groups.clear();
    grants.patterns = [];
  }

  /** Whether `permission` holds for `group`; without `group`, whether it holds for every group. */
  has(permission: Permission, group?: string): boolean {
    const grants = this.#grants[permission];
    if (grants.all) return true;
    if (group === undefined) return false;
    return grants.groups.has(group) || grants.patterns.some((pattern) => pattern.test(group));
  }
}

function compilePattern(role: string, pattern: string): RegExp {
  let source = '';
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\' && i + 1 < pattern.length && '\\*?'.includes(pattern[i + 1]!)) {
      source += escapeRegExp(pattern[++i]!);
    } else if (char === '*' && pattern[i + 1] === '*') {
      source += '[\\s\\S]*';
      stars += 2;
      i++;
    } else if (char === '*') {
      source += '[^.]*';
      stars++;
    } else if (char === '?') {
      source += '[^.]';
    } else {
      source += escapeRegExp(char);
    }
  }
  if (stars > MAX_PATTERN_STARS) throw new Error(`'${role}' has ${stars} '*'; a pattern may have at most ${MAX_PATTERN_STARS}`);
  return new RegExp(`^${source}$`);
}

const escapeRegExp = (char: string): string => char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

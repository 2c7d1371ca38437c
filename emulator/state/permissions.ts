/**
 * A connection's group permissions: from its token's roles at connect, then changed at run time by the REST
 * grant/revoke calls. Role strings (NOTES §5.3):
 * - `webpubsub.joinLeaveGroup` / `webpubsub.sendToGroup`: every group;
 * - `webpubsub.joinLeaveGroup.<group>` / `webpubsub.sendToGroup.<group>`: one group (everything after the second
 *   dot, so group names may hold dots);
 * - `webpubsub.joinLeaveGroups.<pattern>` / `webpubsub.sendToGroups.<pattern>`: groups matching a pattern where `?`
 *   is one character other than `.`, `*` a run of characters other than `.`, `**` any run, and `\` escapes `\`, `*`
 *   and `?`; at most 5 `*`.
 * Other roles are the application's own and grant nothing here. REST grants and revokes (`targetName`, a group)
 * then change it group by group, over the roles: a revoke carves a group out of a role that covers it.
 */
import type { Permission } from '../../shared/validate.js';

const MAX_PATTERN_STARS = 5;

const ROLE_PERMISSIONS: ReadonlyMap<string, { permission: Permission; pattern: boolean }> = new Map([
  ['webpubsub.joinLeaveGroup', { permission: 'joinLeaveGroup', pattern: false }],
  ['webpubsub.sendToGroup', { permission: 'sendToGroup', pattern: false }],
  ['webpubsub.joinLeaveGroups', { permission: 'joinLeaveGroup', pattern: true }],
  ['webpubsub.sendToGroups', { permission: 'sendToGroup', pattern: true }],
]);

/** The service's bound on one permission's group-by-group rules of a connection (Microsoft's emulator: 1,000). */
export const MAX_LITERAL_RULES = 1000;

interface Grants {
  /** From the token: every group (`webpubsub.sendToGroup`). */
  all: boolean;
  /** From the token: one group each (`webpubsub.sendToGroup.<group>`). */
  groups: Set<string>;
  /** From the token: `webpubsub.sendToGroups.<pattern>`. */
  patterns: RegExp[];
  /**
   * REST grants and revokes, group by group, over what the token gives: true grants a group the token does not
   * cover, false carves a group out of one it does. A group whose rule agrees with the token has none.
   */
  rules: Map<string, boolean>;
}

/** Thrown when a grant or revoke would give a connection more than `MAX_LITERAL_RULES` rules for a permission. */
export class TooManyPermissionRules extends Error {
  override readonly name = 'TooManyPermissionRules';
}

/** What one connection may do with groups. */
export class PermissionSet {
  // Made on first use: most connections have neither, and an idle connection should cost little.
  #joinLeaveGroup: Grants | undefined;
  #sendToGroup: Grants | undefined;

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
      const grants = set.#grantsOf(kind.permission);
      if (kind.pattern) {
        if (!target) throw new Error(`'${role}' needs a group pattern after the last dot`);
        grants.patterns.push(compilePattern(role, target));
      } else if (target === undefined) {
        grants.all = true;
      } else if (target !== '') {
        grants.groups.add(target);
      }
    }
    return set;
  }

  /**
   * Grants `permission` for `group` (a REST grant): it holds from now on, whatever the token says.
   * @throws TooManyPermissionRules when it would need a rule beyond the bound; nothing changes then
   */
  grant(permission: Permission, group: string): void {
    this.#set(permission, group, true);
  }

  /**
   * Revokes `permission` for `group` (a REST revoke), even where a token role covers it (`webpubsub.sendToGroup`,
   * a pattern): the group is carved out, and other groups stay as they are.
   * @throws TooManyPermissionRules when it would need a rule beyond the bound; nothing changes then
   */
  revoke(permission: Permission, group: string): void {
    this.#set(permission, group, false);
  }

  /** Whether `permission` holds for `group`: its REST rule, else the token's roles. */
  has(permission: Permission, group: string): boolean {
    const grants = permission === 'joinLeaveGroup' ? this.#joinLeaveGroup : this.#sendToGroup;
    return grants !== undefined && (grants.rules.get(group) ?? byToken(grants, group));
  }

  #grantsOf(permission: Permission): Grants {
    const made = () => ({ all: false, groups: new Set<string>(), patterns: [], rules: new Map<string, boolean>() });
    if (permission === 'joinLeaveGroup') return (this.#joinLeaveGroup ??= made());
    return (this.#sendToGroup ??= made());
  }

  #set(permission: Permission, group: string, allowed: boolean): void {
    const grants = this.#grantsOf(permission);
    if (byToken(grants, group) === allowed) {
      grants.rules.delete(group);
      return;
    }
    if (!grants.rules.has(group) && grants.rules.size >= MAX_LITERAL_RULES) throw new TooManyPermissionRules();
    grants.rules.set(group, allowed);
  }
}

function byToken(grants: Grants, group: string): boolean {
  return grants.all || grants.groups.has(group) || grants.patterns.some((pattern) => pattern.test(group));
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

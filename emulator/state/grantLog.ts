/**
 * The permission grants and revokes made through REST, per connection, in order: what the live view lists and the
 * state file keeps. Replayed onto a fresh `PermissionSet`, they give what the calls gave, whatever the token said.
 */
import type { Permission } from '../../shared/validate.js';
import type { PermissionSet } from './permissions.js';

/** One REST grant or revoke of a permission on one group (the service requires `targetName`). */
export interface GrantOp {
  op: 'grant' | 'revoke';
  permission: Permission;
  target: string;
}

/** Grants and revokes by connection id, compacted: only the ops that still matter, oldest first. */
export class GrantLog {
  readonly #ops = new Map<string, GrantOp[]>();

  record(connectionId: string, op: GrantOp): void {
    const ops = this.#ops.get(connectionId) ?? [];
    // An op on one group replaces the last one on that group.
    const kept = ops.filter((old) => old.permission !== op.permission || old.target !== op.target);
    kept.push(op);
    this.#ops.set(connectionId, kept);
  }

  ops(connectionId: string): readonly GrantOp[] {
    return this.#ops.get(connectionId) ?? [];
  }

  forget(connectionId: string): void {
    this.#ops.delete(connectionId);
  }

  clear(): void {
    this.#ops.clear();
  }
}

/** Applies `ops` in order. */
export function replay(ops: readonly GrantOp[], permissions: PermissionSet): void {
  for (const { op, permission, target } of ops) {
    if (op === 'grant') permissions.grant(permission, target);
    else permissions.revoke(permission, target);
  }
}

/**
 * The dynamic provider behind `WebPubSubPermissionGrant`: one runtime permission (`joinLeaveGroup` or
 * `sendToGroup`) of one connection, for one group (`targetName`) or, without it, for every group.
 *
 * Every input is part of the grant's identity, so any change replaces it. The id spells out the whole grant, so
 * that a refresh or an import (`.get`) works from the id alone. Serialized into state with everything it carries:
 * see groupMembershipProvider.ts for the rules that follow from that.
 */
import type { dynamic } from '@pulumi/pulumi';
import { configurable } from './credentials.js';
import { providerRuntime } from './providerRuntime.js';

/** The inputs after `check`: the endpoint filled in and normalized. */
export interface PermissionGrantInputs {
  hub: string;
  connectionId: string;
  permission: 'joinLeaveGroup' | 'sendToGroup';
  /** The group; absent means every group. */
  targetName?: string;
  endpoint: string;
}

/** The grant as the service holds it. */
export interface PermissionGrantOutputs extends PermissionGrantInputs {
  /** The shape of these outputs; later provider versions read older shapes by it. */
  stateVersion: number;
}

type Inputs = PermissionGrantInputs & { __provider?: string };
type Outputs = PermissionGrantOutputs & { __provider?: string };

const STATE_VERSION = 1;
const INPUT_NAMES = ['hub', 'connectionId', 'permission', 'targetName', 'endpoint'] as const;
/** A grant with the same endpoint, hub, connection and permission overlaps another (a revoke without a group covers all). */
const OVERLAP = ['endpoint', 'hub', 'connectionId', 'permission'] as const;
/** `<hub>/permissions/<permission>/connections/<connectionId>[/groups/<targetName>]`, each percent-encoded. */
const ID_SHAPE = ['*', 'permissions', '*', 'connections', '*'];
const ID_SHAPE_WITH_GROUP = [...ID_SHAPE, 'groups', '*'];
/** A valid hub and connection for checking one value by the core's request builders. */
const ANY_HUB = 'hub';
const ANY_CONNECTION = 'connection';

const provider = {
  ...configurable(),
  runtime: providerRuntime,

  /** Validates by the core client's rules (no request is made) and fills the endpoint. */
  async check(_olds: Inputs, inputs: Inputs): Promise<dynamic.CheckResult<Inputs>> {
    const { runtime, credentials } = this;
    const core = credentials.loadCore();
    const { news, failures, push } = runtime.startCheck(inputs, INPUT_NAMES);
    const { hub, connectionId, permission, targetName } = news;
    const known = (value: unknown) => !runtime.hasUnknown(value);
    if (known(hub)) push(runtime.ruleFailure('hub', () => core.buildCloseAllConnectionsRequest(hub as string)));
    if (known(connectionId)) push(runtime.ruleFailure('connectionId', () => core.buildConnectionExistsRequest(ANY_HUB, connectionId as string)));
    if (known(permission)) {
      push(runtime.ruleFailure('permission', () => core.buildCheckPermissionRequest(ANY_HUB, ANY_CONNECTION, permission as never)));
    }
    // The service grants one group at a time (the swagger: targetName "is a required parameter"); the emulator
    // refuses a grant without one with a 400, as Microsoft's does.
    if (targetName === undefined) push({ property: 'targetName', reason: 'targetName (the group) is required: a permission is granted one group at a time' });
    else if (known(targetName)) push(runtime.ruleFailure('targetName', () => core.buildGroupExistsRequest(ANY_HUB, targetName as string)));
    const endpoint = runtime.hasUnknown(news.endpoint) ? news.endpoint : credentials.checkEndpoint(core, this.settings, news.endpoint, failures);
    return { inputs: runtime.clean({ hub, connectionId, permission, targetName, endpoint } as Inputs), failures };
  },

  /**
   * Any input change replaces the grant; when only the group changes, the old grant goes first, since revoking
   * it could take the new one with it. A change of the stored provider code is an update that stores the new code.
   */
  async diff(_id: string, olds: Outputs, news: Inputs): Promise<dynamic.DiffResult> {
    const runtime = this.runtime;
    const replaces = INPUT_NAMES.filter((key) => runtime.hasUnknown(news[key]) || olds[key] !== news[key]);
    const overlaps = OVERLAP.every((key) => olds[key] === news[key]);
    const code = olds.__provider !== news.__provider || olds.stateVersion !== STATE_VERSION;
    return { changes: replaces.length > 0 || code, replaces: [...replaces], deleteBeforeReplace: replaces.length > 0 && overlaps };
  },

  /** Grants the permission; an existing grant is adopted. An unknown connection is an error that says so. */
  async create(inputs: Inputs): Promise<dynamic.CreateResult<Outputs>> {
    const { hub, connectionId, permission, targetName } = inputs;
    await this.credentials.withClient(this.settings, hub, inputs.endpoint, async (client) => {
      const options = targetName === undefined ? {} : { targetName };
      try {
        await client.grantPermission(connectionId, permission, options);
      } catch (error) {
        if (this.runtime.isNotFound(error)) {
          throw new Error(
            `Granting ${permission} to connection '${connectionId}' in hub '${hub}' failed: the hub has no such open connection ` +
              `(the service answered 404 ${(error as { code?: string }).code}). Permissions are granted to open connections only.`,
          );
        }
        // A grant whose answer was lost may still have been made: then the resource exists, and nothing is undone.
        if (!(await client.checkPermission(connectionId, permission, options).catch(() => false))) throw error;
      }
    });
    return { id: this.idOf(inputs), outs: this.outputsOf(inputs) };
  },

  /** Only a change of provider code gets here (every input change replaces): the grant itself is unchanged. */
  async update(_id: string, _olds: Outputs, news: Inputs): Promise<dynamic.UpdateResult<Outputs>> {
    return { outs: this.outputsOf(news) };
  },

  /** Checks the grant; a grant that is gone (revoked, or its connection closed) leaves the state. Works from the id alone. */
  async read(id: string, props?: Partial<Outputs>): Promise<dynamic.ReadResult> {
    // (ReadResult's `inputs` are the resource's inputs, though the SDK types them as outputs.)
    const grant = this.parseId(id);
    return this.credentials.withClient(this.settings, grant.hub, props?.endpoint, async (client, endpoint) => {
      const options = grant.targetName === undefined ? {} : { targetName: grant.targetName };
      if (!(await client.checkPermission(grant.connectionId, grant.permission, options))) return {};
      const inputs = this.runtime.clean({ ...grant, endpoint });
      return { id, props: this.outputsOf(inputs), inputs };
    });
  },

  /** Revokes the permission; a connection or grant that is already gone is fine. */
  async delete(id: string, props: Outputs): Promise<void> {
    const grant = props.hub === undefined ? { ...this.parseId(id), endpoint: undefined } : props;
    await this.credentials.withClient(this.settings, grant.hub, grant.endpoint, async (client) => {
      const options = grant.targetName === undefined ? {} : { targetName: grant.targetName };
      await client.revokePermission(grant.connectionId, grant.permission, options).catch((error: unknown) => {
        if (!this.runtime.isNotFound(error)) throw error;
      });
    });
  },

  outputsOf(inputs: Inputs): Outputs {
    const { hub, connectionId, permission, targetName, endpoint } = inputs;
    return this.runtime.clean({ hub, connectionId, permission, targetName, endpoint, stateVersion: STATE_VERSION });
  },

  idOf(grant: Pick<Inputs, 'hub' | 'permission' | 'connectionId' | 'targetName'>): string {
    const group = grant.targetName === undefined ? [] : ['groups', grant.targetName];
    return this.runtime.encodeId([grant.hub, 'permissions', grant.permission, 'connections', grant.connectionId, ...group]);
  },

  /** The grant an id spells out. */
  parseId(id: string): Pick<Inputs, 'hub' | 'permission' | 'connectionId' | 'targetName'> {
    const parts = this.runtime.decodeId(id, ID_SHAPE) ?? this.runtime.decodeId(id, ID_SHAPE_WITH_GROUP);
    if (!parts) {
      throw new Error(
        `'${id}' is not a WebPubSubPermissionGrant id: expected <hub>/permissions/<permission>/connections/<connectionId>` +
          '[/groups/<targetName>], each percent-encoded',
      );
    }
    const [hub, permission, connectionId, targetName] = parts as [string, Inputs['permission'], string, string | undefined];
    return targetName === undefined ? { hub, permission, connectionId } : { hub, permission, connectionId, targetName };
  },
};

/**
 * The provider object of `WebPubSubPermissionGrant`, exported for tests and for programs that build their own
 * `pulumi.dynamic.Resource` around it. One instance: Pulumi caches its serialized form per object.
 */
export const permissionGrantProvider: dynamic.ResourceProvider<Inputs, Outputs> = provider;

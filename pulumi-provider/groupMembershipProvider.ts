/**
 * The dynamic provider behind `WebPubSubGroupMembership`: who is in one group of one hub.
 *
 * Pulumi serializes this object, with everything it references, into the state of every resource, and the
 * provider host runs that copy. So the object carries its helpers as properties (a module captured by reference
 * would pin a file path into state), loads the core client by package name inside each call, and holds credentials
 * only in `settings`, which `configure` fills inside the host.
 *
 * Membership is by user (every current connection of the user, as the service's AddUserToGroup does) and by
 * connection. A user with no open connection cannot be added: the service keeps no membership for later
 * connections. Such users are reported as pending, and the next update tries them again.
 */
import type { dynamic } from '@pulumi/pulumi';
import type { WebPubSubServiceClient } from '../shared/index.js';
import { configurable } from './credentials.js';
import { groupMembers, type MemberChange, type Members } from './groupMembers.js';
import { providerRuntime } from './providerRuntime.js';

/** The inputs after `check`: lists sorted and without duplicates, the endpoint filled in and normalized. */
export interface GroupMembershipInputs {
  hub: string;
  group: string;
  userIds: string[];
  connectionIds: string[];
  endpoint: string;
}

/**
 * What the service holds for the resource. `userIds` and `connectionIds` are the declared members that are in the
 * group, so a preview compares them with the declared lists and shows exactly who will be added or removed.
 */
export interface GroupMembershipOutputs {
  hub: string;
  group: string;
  endpoint: string;
  /** Declared users with at least one connection in the group. */
  userIds: string[];
  /** Declared users with no open connection, who could not be added; the next update tries them again. */
  pendingUserIds: string[];
  /** Declared connections in the group. */
  connectionIds: string[];
  /** The shape of these outputs; later provider versions read older shapes by it. */
  stateVersion: number;
}

type Inputs = GroupMembershipInputs & { __provider?: string };
type Outputs = GroupMembershipOutputs & { __provider?: string };

/** Bumped when the outputs change shape. */
const STATE_VERSION = 1;
const INPUT_NAMES = ['hub', 'group', 'userIds', 'connectionIds', 'endpoint'] as const;
/** Changing any of these points the resource at another group: a replacement, not an update. */
const IDENTITY = ['endpoint', 'hub', 'group'] as const;
/** The id's shape: `<hub>/groups/<group>`, each percent-encoded. */
const ID_SHAPE = ['*', 'groups', '*'];
/** A valid hub for checking one group or id by the core's request builders, which need a hub first. */
const ANY_HUB = 'hub';

const provider = {
  ...configurable(),
  runtime: providerRuntime,
  members: groupMembers,

  /** Validates by the core client's rules (no request is made), sorts and dedupes the lists, fills the endpoint. */
  async check(_olds: Inputs, inputs: Inputs): Promise<dynamic.CheckResult<Inputs>> {
    const { runtime, credentials } = this;
    const core = credentials.loadCore();
    const { news, failures, push } = runtime.startCheck(inputs, INPUT_NAMES);
    const { hub, group } = news;
    if (!runtime.hasUnknown(hub)) push(runtime.ruleFailure('hub', () => core.buildCloseAllConnectionsRequest(hub as string)));
    if (!runtime.hasUnknown(group)) push(runtime.ruleFailure('group', () => core.buildGroupExistsRequest(ANY_HUB, group as string)));
    const userIds = runtime.idList('userIds', news.userIds, (id) => core.buildUserExistsRequest(ANY_HUB, id), failures);
    const connectionIds = runtime.idList('connectionIds', news.connectionIds, (id) => core.buildConnectionExistsRequest(ANY_HUB, id), failures);
    const endpoint = runtime.hasUnknown(news.endpoint) ? news.endpoint : credentials.checkEndpoint(core, this.settings, news.endpoint, failures);
    return { inputs: runtime.clean({ hub, group, userIds, connectionIds, endpoint } as Inputs), failures };
  },

  /**
   * Replaces on another endpoint, hub or group. Updates when the declared members differ from those in the group
   * (new, dropped, drifted or pending ones), and when the stored provider code is not the current one, so that the
   * update stores the new code and later reads and deletes run it.
   */
  async diff(_id: string, olds: Outputs, news: Inputs): Promise<dynamic.DiffResult> {
    const runtime = this.runtime;
    const replaces = IDENTITY.filter((key) => runtime.hasUnknown(news[key]) || olds[key] !== news[key]);
    const members =
      runtime.hasUnknown(news.userIds) ||
      runtime.hasUnknown(news.connectionIds) ||
      !runtime.sameMembers(olds.userIds, news.userIds) ||
      !runtime.sameMembers(olds.connectionIds, news.connectionIds);
    const code = olds.__provider !== news.__provider || olds.stateVersion !== STATE_VERSION;
    return { changes: replaces.length > 0 || members || code, replaces: [...replaces], deleteBeforeReplace: false };
  },

  /**
   * Adds the members; adopts those already in the group (so it reads the group first: for a new group, one
   * request). On failure, undoes what it did, leaving members that were there before.
   */
  async create(inputs: Inputs): Promise<dynamic.CreateResult<Outputs>> {
    const id = this.runtime.encodeId([inputs.hub, 'groups', inputs.group]);
    const outs = await this.credentials.withClient(this.settings, inputs.hub, inputs.endpoint, async (client) => {
      const before = await this.members.list(client, inputs.group);
      return this.converge('Creating', id, client, inputs, this.outputsOf(inputs, this.members.usersOf(before), before), before);
    });
    return { id, outs };
  },

  /**
   * Adds the declared members not recorded in the group (new, pending and drifted ones), then removes recorded
   * ones no longer declared: requests for the change alone, then one read of the group when members were added
   * (to learn who joined). On failure, undoes what it did.
   */
  async update(id: string, olds: Outputs, news: Inputs): Promise<dynamic.UpdateResult<Outputs>> {
    const outs = await this.credentials.withClient(this.settings, news.hub, news.endpoint, (client) => this.converge('Updating', id, client, news, olds));
    return { outs };
  },

  /**
   * Refresh: the declared members as the group holds them now, from one paged listing: a declared user who is not
   * in it is pending (no open connection, or taken out since: the next update adds them either way), a declared
   * connection that is not in it drops out.
   * Import (`WebPubSubGroupMembership.get`, only the id): everyone in the group, anonymous connections by id.
   */
  async read(id: string, props?: Partial<Outputs>): Promise<dynamic.ReadResult> {
    // (ReadResult's `inputs` are the resource's inputs, though the SDK types them as outputs.)
    const { runtime, members } = this;
    const imported = props?.hub === undefined;
    const [hub, group] = imported ? this.parseId(id) : [props.hub!, props.group!];
    return this.credentials.withClient(this.settings, hub, props?.endpoint, async (client, endpoint) => {
      const now = await members.list(client, group);
      const present = members.usersOf(now);
      if (imported) {
        const anonymous = [...now].filter(([, userId]) => userId === undefined).map(([connectionId]) => connectionId);
        const inputs = { hub, group, endpoint, userIds: [...present].sort(), connectionIds: anonymous.sort() };
        return { id, props: runtime.clean({ ...inputs, pendingUserIds: [], stateVersion: STATE_VERSION }), inputs };
      }
      const declared = [...new Set([...(props.userIds ?? []), ...(props.pendingUserIds ?? [])])].sort();
      return { id, props: this.outputsOf({ hub, group, endpoint, userIds: declared, connectionIds: props.connectionIds ?? [] }, present, now) };
    });
  },

  /** Removes exactly the resource's members: its users' connections and its connections (absent ones are fine). */
  async delete(id: string, props: Outputs): Promise<void> {
    const [hub, group] = props.hub === undefined ? this.parseId(id) : [props.hub, props.group];
    await this.credentials.withClient(this.settings, hub, props.endpoint, async (client) => {
      const ignoreNotFound = (error: unknown) => {
        if (!this.runtime.isNotFound(error)) throw error;
      };
      await this.members.remove(client, group, 'userId', props.userIds ?? []).catch(ignoreNotFound);
      await this.members.remove(client, group, 'connectionId', props.connectionIds ?? []).catch(ignoreNotFound);
    });
  },

  /**
   * Brings the group from the `recorded` members (the resource's outputs; for a create, the declared members
   * already in the group) to the declared ones: adds those not recorded, then removes recorded ones no longer
   * declared. Who joined is known only by reading: the group once, afterwards, or (when fewer requests) a probe
   * group that the adds fill with exactly the joiners. Nobody added: nothing read.
   * A failure midway puts the touched members back as they were (`before`: the group before, when it was read).
   */
  async converge(
    action: 'Creating' | 'Updating',
    id: string,
    client: WebPubSubServiceClient,
    inputs: Inputs,
    recorded: Pick<Outputs, 'userIds' | 'connectionIds'>,
    before?: Members,
  ): Promise<Outputs> {
    const { runtime, members } = this;
    const { group } = inputs;
    const [recordedUsers, recordedConnections] = [recorded.userIds ?? [], recorded.connectionIds ?? []];
    const change: MemberChange = {
      addUsers: runtime.without(inputs.userIds, recordedUsers),
      addConnections: runtime.without(inputs.connectionIds, recordedConnections),
      removeUsers: runtime.without(recordedUsers, inputs.userIds),
      removeConnections: runtime.without(recordedConnections, inputs.connectionIds),
    };
    const probe = members.probeFor(
      { users: change.addUsers.length, connections: change.addConnections.length },
      recordedUsers.length + recordedConnections.length,
    );
    let now: Members | undefined;
    try {
      await members.add(client, group, 'userId', change.addUsers, probe);
      await members.add(client, group, 'connectionId', change.addConnections, probe);
      await members.remove(client, group, 'userId', change.removeUsers);
      await members.remove(client, group, 'connectionId', change.removeConnections);
      // Nobody joined: the recorded members still declared are the outputs, with no need to read the group.
      if (change.addUsers.length === 0 && change.addConnections.length === 0) {
        return this.outputsOf(inputs, new Set(recordedUsers), new Set(recordedConnections));
      }
      // Who joined: the probe's few members, or the whole group read back.
      const joined = await members.list(client, probe ?? group);
      const closed = change.addConnections.filter((connectionId) => !joined.has(connectionId));
      if (closed.length > 0) {
        throw new Error(
          `connection(s) ${closed.join(', ')} could not join: the hub has no such open connection (connection ids ` +
            'are not reused; drop closed connections from connectionIds)',
        );
      }
      if (probe === undefined) now = joined;
      const users = new Set([...recordedUsers, ...members.usersOf(joined)]);
      return this.outputsOf(inputs, users, new Set([...recordedConnections, ...joined.keys()]));
    } catch (error) {
      throw await this.undo({ action, id, inputs, client, change, now, before, error });
    } finally {
      // Best effort: a member left in the probe receives nothing, since no one sends to its random name.
      if (probe !== undefined) {
        await members.remove(client, probe, 'userId', change.addUsers).catch(() => undefined);
        await members.remove(client, probe, 'connectionId', change.addConnections).catch(() => undefined);
      }
    }
  },

  /** Undoes a failed change; the error says what failed and whether the group is back as it was. */
  async undo(failed: {
    action: string;
    id: string;
    inputs: Inputs;
    client: WebPubSubServiceClient;
    change: MemberChange;
    now: Members | undefined;
    before: Members | undefined;
    error: unknown;
  }): Promise<Error> {
    const { action, id, inputs, client, change, now, before, error } = failed;
    const what = `${action} the membership of group '${inputs.group}' in hub '${inputs.hub}' failed: ${this.runtime.describeError(error)}`;
    try {
      const { removed, readded } = await this.members.restore(client, inputs.group, change, { now, before });
      return new Error(`${what}. Undone: the group is as it was (${removed} connection(s) taken out again, ${readded} put back).`);
    } catch (undoError) {
      // The change may be partly applied: record the resource as if it were whole, so that a refresh shows the
      // truth and a destroy removes every member it may have added.
      const reason = `Undoing it failed too: ${this.runtime.describeError(undoError)}; run \`pulumi refresh\`, then \`pulumi up\``;
      const { hub, group, endpoint, userIds, connectionIds, __provider } = inputs;
      const partial = { hub, group, endpoint, userIds, pendingUserIds: [], connectionIds, stateVersion: STATE_VERSION, __provider };
      return Object.assign(new Error(`${what}. ${reason}.`), { id, properties: this.runtime.clean(partial), reasons: [reason] });
    }
  },

  /** The outputs for the declared members, given the users and the connections in the group. */
  outputsOf(inputs: Omit<Inputs, '__provider'>, users: { has(userId: string): boolean }, connections: { has(connectionId: string): boolean }): Outputs {
    const [userIds, pendingUserIds]: [string[], string[]] = [[], []];
    for (const userId of inputs.userIds) (users.has(userId) ? userIds : pendingUserIds).push(userId);
    // Built whole (no `undefined` member, which the host refuses) rather than cleaned by a JSON round trip: at
    // 10,000 members that trip costs more than the requests.
    return {
      hub: inputs.hub,
      group: inputs.group,
      endpoint: inputs.endpoint,
      userIds,
      pendingUserIds,
      connectionIds: inputs.connectionIds.filter((connectionId) => connections.has(connectionId)),
      stateVersion: STATE_VERSION,
    };
  },

  /** hub and group from an id. */
  parseId(id: string): [string, string] {
    const parts = this.runtime.decodeId(id, ID_SHAPE);
    if (!parts) throw new Error(`'${id}' is not a WebPubSubGroupMembership id: expected <hub>/groups/<group>, each percent-encoded`);
    return parts as [string, string];
  },
};

/**
 * The provider object of `WebPubSubGroupMembership`, exported for tests and for programs that build their own
 * `pulumi.dynamic.Resource` around it. One instance: Pulumi caches its serialized form per object.
 */
export const groupMembershipProvider: dynamic.ResourceProvider<Inputs, Outputs> = provider;

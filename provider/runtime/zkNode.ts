import { planDiff } from "../core/diff";
import { ZK_NODE } from "../core/definitions";
import type { ZkNodeInputs } from "../core/schemas";
import { validate } from "../core/validation";
import {
  dataBytes,
  dataFields,
  GONE,
  inputSchemas,
  type Props,
  engineMethods,
  withRecordedAcl,
} from "./dynamic";
import { profileFailures, settingsOf, stackConnectString } from "./settings";
import * as managed from "./managed";
import type { CreateSpec } from "./managed";
import { type InDoubt, keepInDoubt } from "./inDoubt";
import { readZnode, type ZnodeRecord } from "./record";

const INPUTS = ZK_NODE.inputs;
const REPLACE_ON = ZK_NODE.replaceOn;

/** State of a `ZkNode`: its inputs, the requested path, and the record of the real znode. */
type ZkNodeState = ZkNodeInputs &
  ZnodeRecord & {
    requestedPath: string;
    createdParents: string[];
    /** Set while the create is in doubt (see `keepInDoubt`). */
    inDoubt?: InDoubt;
  };

/**
 * A `ZkNode`'s state as the engine hands it back: the checked inputs and the record that create,
 * read or update returned. States of earlier versions may lack `requestedPath` (then `path` is
 * it) and `createdParents`.
 */
function parseState(recorded: Props): ZkNodeState {
  const inputs = recorded as ZkNodeInputs;
  return {
    ...inputs,
    ...managed.managedFromState(recorded),
    requestedPath: typeof recorded.requestedPath === "string" ? recorded.requestedPath : inputs.path,
  };
}

/** What creating a `ZkNode` with these inputs writes. */
function specOf(inputs: ZkNodeInputs): CreateSpec {
  return {
    path: inputs.path,
    data: dataBytes(inputs),
    acl: inputs.acl,
    sequential: inputs.sequential,
    createParents: inputs.createParents,
    adopt: inputs.adopt,
  };
}

/** The recorded inputs, with `path` as the user wrote it (not the sequential real path). */
function recordedInputs(state: ZkNodeState): ZkNodeState {
  return { ...state, path: state.requestedPath };
}

/** The create spec recorded in a `ZkNode`'s state. */
function specFromState(state: ZkNodeState): CreateSpec {
  return specOf(recordedInputs(state));
}

/** `ZkNode`'s dynamic-provider methods. */
export const zkNode = engineMethods<ZkNodeInputs, ZkNodeState>(parseState, {
  check(_olds, news) {
    const { zkNodeInputs, ZK_NODE_DEFAULTS, stackTargetFailures } = inputSchemas();
    const { inputs, failures } = validate(zkNodeInputs, news, ZK_NODE_DEFAULTS);
    // Without a connect string of its own, the resource writes through the stack's, chroot included.
    if (failures.length > 0) return { inputs, failures };
    const profile = profileFailures(inputs.profile);
    if (profile.length > 0) return { inputs, failures: profile };
    return { inputs, failures: stackTargetFailures("ZkNode", inputs, stackConnectString(inputs.profile)) };
  },

  diff(_id, olds, news) {
    return planDiff(
      recordedInputs(olds),
      withRecordedAcl(olds, news),
      INPUTS,
      REPLACE_ON,
      (replaces) => !replaces.includes("path") && news.sequential !== true,
    );
  },

  async create(inputs) {
    const s = settingsOf(inputs);
    const created = await managed.createZnode(s, specOf(inputs)).catch((err: unknown) => {
      throw keepInDoubt(err, inputs.path, { ...inputs, requestedPath: inputs.path });
    });
    const { adopted: _adopted, createdParents, acl, ...record } = created;
    const outs: ZkNodeState = { ...inputs, acl, ...record, requestedPath: inputs.path, createdParents };
    return { id: record.path, outs };
  },

  async read(id, props) {
    if (!props) return GONE;
    const s = settingsOf(props);
    if (props.inDoubt) {
      const own = await managed.refreshInDoubt(s, props, props.inDoubt, specFromState);
      return own ? { id: own.path, props: own } : GONE;
    }
    const found = await readZnode(s, props.path || id);
    if (!found) return GONE;
    const { data: _d, dataBase64: _b, ...rest } = props;
    const fields = dataFields(found.data, props.dataBase64 !== undefined);
    return { id, props: { ...rest, ...fields, acl: found.acl, ...found.record } };
  },

  async update(_id, olds, inputs) {
    const change = { before: dataBytes(olds), after: dataBytes(inputs), acl: inputs.acl };
    const { settled, record } = await managed.updateManaged(settingsOf(inputs), olds, specFromState, change);
    const outs: ZkNodeState = {
      ...inputs,
      acl: inputs.acl ?? settled.acl,
      ...record,
      requestedPath: inputs.path,
      createdParents: settled.createdParents,
    };
    return { outs };
  },

  async delete(_id, props) {
    await managed.deleteManaged(settingsOf(props), props, specFromState);
  },
});

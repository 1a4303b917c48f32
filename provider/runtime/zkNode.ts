import { type AclEntry } from "../core/acl";
import { planDiff } from "../core/diff";
import { ZK_NODE } from "../core/definitions";
import type { ZkNodeInputs } from "../core/schemas";
import { validate } from "../core/validation";
import {
  aclChange,
  dataBytes,
  dataFields,
  inputSchemas,
  type ProviderMethods,
  type Props,
  withRecordedAcl,
} from "./dynamic";
import { profileFailures, settingsOf, stackConnectString } from "./settings";
import { type CreateSpec, createZnode, deleteManaged, findInDoubt, settleInDoubt } from "./create";
import { updateAcl, updateData, verifyRecord } from "./checkedWrites";
import { type InDoubt, keepInDoubt } from "./inDoubt";
import { readZnode, recordFromState, type ZnodeRecord } from "./record";

const INPUTS = ZK_NODE.inputs;
const REPLACE_ON = ZK_NODE.replaceOn;

/** State of a `ZkNode`: its inputs, the requested path, and the record of the real znode. */
type ZkNodeState = Omit<ZkNodeInputs, "acl"> & { acl: AclEntry[] } & ZnodeRecord & {
    requestedPath: string;
    createdParents: string[];
  };

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

/** The create spec recorded in a `ZkNode`'s state. */
function specFromState(state: Props): CreateSpec {
  return specOf(recordedInputs(state) as ZkNodeInputs);
}

/** The recorded inputs, with `path` as the user wrote it (not the sequential real path). */
function recordedInputs(olds: Props): Props {
  return { ...olds, path: olds.requestedPath ?? olds.path };
}

/** `ZkNode`'s dynamic-provider methods. */
export const zkNode: ProviderMethods = {
  async check(_olds, news) {
    const { zkNodeInputs, ZK_NODE_DEFAULTS, stackTargetFailures } = inputSchemas();
    const { inputs, failures } = validate(zkNodeInputs, news, ZK_NODE_DEFAULTS);
    // Without a connect string of its own, the resource writes through the stack's, chroot included.
    if (failures.length > 0) return { inputs, failures };
    const profile = profileFailures(inputs.profile);
    if (profile.length > 0) return { inputs, failures: profile };
    return { inputs, failures: stackTargetFailures("ZkNode", inputs, stackConnectString(inputs.profile)) };
  },

  async diff(_id, olds, news) {
    return planDiff(
      recordedInputs(olds),
      withRecordedAcl(olds, news),
      INPUTS,
      REPLACE_ON,
      (replaces) => !replaces.includes("path") && news.sequential !== true,
    );
  },

  async create(raw) {
    const inputs = raw as ZkNodeInputs;
    const s = settingsOf(inputs);
    const created = await createZnode(s, specOf(inputs)).catch((err: unknown) => {
      throw keepInDoubt(err, inputs.path, { ...inputs, path: inputs.path, requestedPath: inputs.path });
    });
    const { adopted: _adopted, createdParents, acl, ...record } = created;
    const outs: ZkNodeState = { ...inputs, acl, ...record, requestedPath: inputs.path, createdParents };
    return { id: record.path, outs };
  },

  async read(id, props) {
    const s = settingsOf(props);
    if (props.inDoubt) {
      const { inDoubt, ...rest } = props;
      const spec = specFromState(props);
      const own = await findInDoubt(s, spec, inDoubt as InDoubt);
      return own ? { id: own.path, props: { ...rest, ...own } } : { id: "", props: {} };
    }
    const found = await readZnode(s, String(props.path ?? id));
    if (!found) return { id: "", props: {} };
    const { data: _d, dataBase64: _b, ...rest } = props;
    const fields = dataFields(found.data, props.dataBase64 !== undefined);
    return { id, props: { ...rest, ...fields, acl: found.acl, ...found.record } };
  },

  async update(_id, olds, news) {
    const inputs = news as ZkNodeInputs;
    const s = settingsOf(inputs);
    olds = await settleInDoubt(s, olds, specFromState);
    const recorded = recordFromState(olds);
    let record = recorded;
    const oldData = dataBytes(olds as ZkNodeInputs);
    if (!oldData.equals(dataBytes(inputs))) record = await updateData(s, record, dataBytes(inputs));
    const acl = aclChange(olds, inputs.acl);
    if (acl) record = await updateAcl(s, record, acl);
    // Nothing written: the state must still describe the znode as it is, not one gone or re-created.
    if (record === recorded) record = await verifyRecord(s, record);
    const outs: ZkNodeState = {
      ...inputs,
      acl: inputs.acl ?? (olds.acl as AclEntry[]),
      ...record,
      requestedPath: inputs.path,
      createdParents: (olds.createdParents as string[] | undefined) ?? [],
    };
    return { outs };
  },

  async delete(_id, props) {
    await deleteManaged(settingsOf(props), props, specFromState);
  },
};

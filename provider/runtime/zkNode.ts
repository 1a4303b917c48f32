import { AclEntry } from "../core/acl";
import { planDiff } from "../core/diff";
import { ZK_NODE_DEFAULTS, ZkNodeInputs, zkNodeInputs } from "../core/schemas";
import { validate } from "../core/validation";
import { aclChange, dataBytes, dataFields, ProviderMethods, Props, withRecordedAcl } from "./dynamic";
import { settingsFor } from "./settings";
import {
  createZnode,
  deleteZnode,
  readZnode,
  removeEmptyParents,
  updateAcl,
  updateData,
  ZnodeRecord,
} from "./znodes";

const INPUTS = [
  "connectString",
  "path",
  "data",
  "dataBase64",
  "acl",
  "sequential",
  "createParents",
  "adopt",
] as const;
const REPLACE_ON = ["connectString", "path", "sequential"];

/** State of a `ZkNode`: its inputs, the requested path, and the record of the real znode. */
type ZkNodeState = Omit<ZkNodeInputs, "acl"> & { acl: AclEntry[] } & ZnodeRecord & {
    requestedPath: string;
    createdParents: string[];
  };

function recordFrom(p: Props): ZnodeRecord {
  return {
    path: String(p.path),
    version: Number(p.version),
    aversion: Number(p.aversion),
    czxid: String(p.czxid),
    mzxid: String(p.mzxid),
  };
}

/** The recorded inputs, with `path` as the user wrote it (not the sequential real path). */
function recordedInputs(olds: Props): Props {
  return { ...olds, path: olds.requestedPath ?? olds.path };
}

/** `ZkNode`'s dynamic-provider methods. */
export const zkNode: ProviderMethods = {
  async check(_olds, news) {
    const { inputs, failures } = validate(zkNodeInputs, news, ZK_NODE_DEFAULTS);
    return { inputs, failures };
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
    const s = settingsFor(inputs.connectString);
    const created = await createZnode(s, {
      path: inputs.path,
      data: dataBytes(inputs),
      acl: inputs.acl,
      sequential: inputs.sequential,
      createParents: inputs.createParents,
      adopt: inputs.adopt,
    });
    const { adopted: _adopted, createdParents, acl, ...record } = created;
    const outs: ZkNodeState = { ...inputs, acl, ...record, requestedPath: inputs.path, createdParents };
    return { id: record.path, outs };
  },

  async read(id, props) {
    const s = settingsFor(props.connectString as string | undefined);
    const found = await readZnode(s, String(props.path ?? id));
    if (!found) return { id: "", props: {} };
    const { data: _d, dataBase64: _b, ...rest } = props;
    const fields = dataFields(found.data, props.dataBase64 !== undefined);
    return { id, props: { ...rest, ...fields, acl: found.acl, ...found.record } };
  },

  async update(_id, olds, news) {
    const inputs = news as ZkNodeInputs;
    const s = settingsFor(inputs.connectString);
    let record = recordFrom(olds);
    const oldData = dataBytes(olds as ZkNodeInputs);
    if (!oldData.equals(dataBytes(inputs))) record = await updateData(s, record, dataBytes(inputs));
    const acl = aclChange(olds, inputs.acl);
    if (acl) record = await updateAcl(s, record, acl);
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
    const s = settingsFor(props.connectString as string | undefined);
    const record = recordFrom(props);
    await deleteZnode(s, record);
    await removeEmptyParents(s, record.path);
  },
};

import { planDiff } from "../core/diff";
import { providerKeys, ZK_SERVICE_REGISTRATION } from "../core/definitions";
import {
  decodeInstance,
  defaultInstanceId,
  encodeRegistration,
  type Registration,
  SERVERSET_PREFIX,
} from "../core/formats";
import { joinPath } from "../core/paths";
import type { ZkServiceRegistrationInputs } from "../core/schemas";
import { containsUnknown, UNKNOWN, validate } from "../core/validation";
import { GONE, inputSchemas, type Props, engineMethods, withRecordedAcl } from "./dynamic";
import { profileFailures, settingsOf, stackConnectString } from "./settings";
import * as managed from "./managed";
import type { CreateSpec } from "./managed";
import { type InDoubt, keepInDoubt } from "./inDoubt";
import { readZnode, type ZnodeRecord } from "./record";

const INPUTS = providerKeys(ZK_SERVICE_REGISTRATION.inputs);
const REPLACE_ON = providerKeys(ZK_SERVICE_REGISTRATION.replaceOn);

/**
 * Checked inputs as the provider holds them. The user's `id` travels as `instanceId`: `id` is the
 * Pulumi resource id, which this resource sets to the instance id.
 */
type CheckedInputs = Omit<ZkServiceRegistrationInputs, "id"> & { instanceId: string };

/** State of a registration: inputs, where it lives, what was written and when it was first registered. */
type RegistrationState = CheckedInputs &
  ZnodeRecord & {
    registrationTimeUTC: number;
    data: string;
    createdParents: string[];
    /** Set while the create is in doubt (see `keepInDoubt`). */
    inDoubt?: InDoubt;
  };

/**
 * A registration's state as the engine hands it back: the checked inputs, what was written and
 * the record that create, read or update returned. Earlier versions may not record `createdParents`.
 */
function parseState(recorded: Props): RegistrationState {
  return {
    ...(recorded as CheckedInputs),
    ...managed.managedFromState(recorded),
    registrationTimeUTC: Number(recorded.registrationTimeUTC),
    data: String(recorded.data),
  };
}

/** The znode path of a registration; for ServerSet members, the sequential prefix. */
export function registrationPath(inputs: {
  basePath: string;
  service: string;
  format: string;
  instanceId: string;
}): string {
  const name = inputs.format === "serverset" ? SERVERSET_PREFIX : inputs.instanceId;
  return joinPath(inputs.basePath, inputs.service, name);
}

function registrationOf(inputs: CheckedInputs, registrationTimeUTC: number): Registration {
  return { ...inputs, id: inputs.instanceId, registrationTimeUTC };
}

/** The Pulumi resource id: the instance id, or the member znode name for ServerSet members. */
function resourceId(inputs: CheckedInputs, path: string): string {
  return inputs.format === "serverset" ? path.slice(path.lastIndexOf("/") + 1) : inputs.instanceId;
}

/** What registering writes: `data` at `path`, a sequential prefix for ServerSet members. */
function specOf(inputs: CheckedInputs, path: string, data: string): CreateSpec {
  return {
    path,
    data: Buffer.from(data),
    acl: inputs.acl,
    sequential: inputs.format === "serverset",
    createParents: true,
    adopt: inputs.adopt,
  };
}

/** The create spec a registration in doubt was created with, from its recorded state. */
function specInDoubt(state: RegistrationState): CreateSpec {
  return specOf(state, registrationPath(state), state.data);
}

/** `ZkServiceRegistration`'s dynamic-provider methods. */
export const zkServiceRegistration = engineMethods<CheckedInputs, RegistrationState>(parseState, {
  check(_olds, news) {
    const { instanceId, ...rest } = news;
    const { zkServiceRegistrationInputs, ZK_SERVICE_REGISTRATION_DEFAULTS, stackTargetFailures } =
      inputSchemas();
    const result = validate(
      zkServiceRegistrationInputs,
      { ...rest, ...(instanceId !== undefined ? { id: instanceId } : {}) },
      ZK_SERVICE_REGISTRATION_DEFAULTS,
    );
    const { inputs } = result;
    // Without a connect string of its own, the registration writes through the stack's, chroot included.
    const profile = profileFailures(inputs.profile);
    const failures =
      result.failures.length > 0
        ? result.failures
        : profile.length > 0
          ? profile
          : stackTargetFailures("ZkServiceRegistration", inputs, stackConnectString(inputs.profile));
    const { id, ...checked } = inputs;
    if (id !== undefined) return { inputs: { ...checked, instanceId: id }, failures };
    // Invalid inputs come back as given: an undefined instanceId would not survive the engine's protobuf Struct.
    if (failures.length > 0) return { inputs: checked, failures };
    // A stable default id: the same address and port always give the same znode.
    const known = !containsUnknown([inputs.address, inputs.port, inputs.sslPort]);
    const derived = known ? defaultInstanceId(inputs.address, inputs.port, inputs.sslPort) : UNKNOWN;
    return { inputs: { ...checked, instanceId: derived }, failures };
  },

  diff(_id, olds, news) {
    return planDiff(olds, withRecordedAcl(olds, news), INPUTS, REPLACE_ON, (replaces) => {
      const samePath = !replaces.some((p) => p === "service" || p === "instanceId" || p === "basePath");
      return samePath && news.format !== "serverset";
    });
  },

  async create(inputs) {
    const s = settingsOf(inputs);
    const path = registrationPath(inputs);
    let registrationTimeUTC = Date.now();
    if (inputs.adopt && inputs.format !== "serverset") {
      // Taking over keeps the instance's original registration time.
      const existing = await readZnode(s, path);
      const facts = { service: inputs.service, name: inputs.instanceId, path, ephemeral: false, ctime: 0 };
      const found = existing && decodeInstance(existing.data, facts);
      if (found && !("problem" in found) && found.registrationTimeUTC)
        registrationTimeUTC = found.registrationTimeUTC;
    }
    const data = encodeRegistration(inputs.format, registrationOf(inputs, registrationTimeUTC));
    const created = await managed.createZnode(s, specOf(inputs, path, data)).catch((err: unknown) => {
      throw keepInDoubt(err, resourceId(inputs, path), { ...inputs, path, registrationTimeUTC, data });
    });
    const { adopted: _adopted, createdParents, acl, ...record } = created;
    const outs: RegistrationState = { ...inputs, acl, ...record, registrationTimeUTC, data, createdParents };
    return { id: resourceId(inputs, record.path), outs };
  },

  async read(id, props) {
    if (!props) return GONE;
    const s = settingsOf(props);
    if (props.inDoubt) {
      const own = await managed.refreshInDoubt(s, props, props.inDoubt, specInDoubt);
      return own ? { id: resourceId(own, own.path), props: own } : GONE;
    }
    const found = await readZnode(s, props.path || id);
    if (!found) return GONE;
    const text = found.data.toString("utf8");
    const seen = decodeInstance(found.data, {
      service: props.service,
      name: props.instanceId,
      path: props.path,
      ephemeral: false,
      ctime: 0,
    });
    // Fields someone changed in ZooKeeper show up as drift that the next `up` puts back.
    const drift =
      "problem" in seen
        ? {}
        : {
            address: seen.address,
            ...(seen.port !== undefined ? { port: seen.port } : {}),
            // Drained or re-enabled by someone else: recorded only when it differs from the inputs.
            ...(seen.serving !== (props.enabled !== false) ? { enabled: seen.serving } : {}),
          };
    return { id, props: { ...props, ...drift, data: text, acl: found.acl, ...found.record } };
  },

  async update(_id, olds, inputs) {
    const { registrationTimeUTC } = olds;
    const data = encodeRegistration(inputs.format, registrationOf(inputs, registrationTimeUTC));
    const change = { before: Buffer.from(olds.data), after: Buffer.from(data), acl: inputs.acl };
    const { settled, record } = await managed.updateManaged(settingsOf(inputs), olds, specInDoubt, change);
    const outs: RegistrationState = {
      ...inputs,
      acl: inputs.acl ?? settled.acl,
      ...record,
      registrationTimeUTC,
      data,
      createdParents: settled.createdParents,
    };
    return { outs };
  },

  async delete(_id, props) {
    await managed.deleteManaged(settingsOf(props), props, specInDoubt);
  },
});

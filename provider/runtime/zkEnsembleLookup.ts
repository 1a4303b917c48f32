import { planDiff } from "../core/diff";
import { type ProviderMethods } from "./dynamic";

const OUTPUTS = ["servers", "connectString", "chrootedConnectString", "source"] as const;

/**
 * `ZkEnsembleLookup`'s dynamic-provider methods. The lookup itself runs in the program on every
 * preview and up; the resource records its result, so a membership change shows as a diff.
 */
export const zkEnsembleLookup: ProviderMethods = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async diff(_id, olds, news) {
    return planDiff(olds, news, OUTPUTS, []);
  },
  async create(inputs) {
    return { id: String(inputs.connectString), outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete() {
    // Nothing was written anywhere: the lookup only reads.
  },
};

import type { ServerAddress } from "../core/connectString";
import { planDiff } from "../core/diff";
import { type Props, engineMethods } from "./dynamic";

const OUTPUTS = ["servers", "connectString", "chrootedConnectString", "source"] as const;

/** What a lookup found, as the program hands it over and state records it. */
type LookupResult = {
  servers: ServerAddress[];
  connectString: string;
  chrootedConnectString: string;
  source: string;
};

/** A recorded lookup: the program wrote it, so only its fields are picked. */
function parseResult(recorded: Props): LookupResult {
  return {
    servers: Array.isArray(recorded.servers) ? (recorded.servers as ServerAddress[]) : [],
    connectString: String(recorded.connectString),
    chrootedConnectString: String(recorded.chrootedConnectString),
    source: String(recorded.source),
  };
}

/**
 * `ZkEnsembleLookup`'s dynamic-provider methods. The lookup itself runs in the program on every
 * preview and up; the resource records its result, so a membership change shows as a diff.
 */
export const zkEnsembleLookup = engineMethods<LookupResult, LookupResult>(parseResult, {
  check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  diff(_id, olds, news) {
    return planDiff(olds, news, OUTPUTS, []);
  },
  create(inputs) {
    return Promise.resolve({ id: inputs.connectString, outs: inputs });
  },
  read(id, props) {
    return Promise.resolve({ id, props });
  },
  update(_id, _olds, news) {
    return Promise.resolve({ outs: news });
  },
  async delete() {
    // Nothing was written anywhere: the lookup only reads.
  },
});

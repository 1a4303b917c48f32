/**
 * The provider plugin's gRPC service: the engine's calls mapped onto the runtime's methods, which
 * the TypeScript dynamic resources call too. Values cross as protobuf Structs (`values.ts`); the
 * plugin tells the engine it takes no secrets, resources or outputs, so values arrive plain, and
 * that it has no preview of creates and updates, so a preview never reaches create or update.
 */
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { IResourceProviderServer } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { type DiffPlan, sameValue } from "../core/diff";
import type { CheckFailure } from "../core/validation";
import { setConfig } from "../runtime/settings";
import type { Props } from "../runtime/dynamic";
import {
  CONFIG_KEYS,
  configFailures,
  configValues,
  knownConfig,
  providerConfig,
  replacingConfigKeys,
} from "./config";
import type { EngineLog } from "./engineLog";
import { FUNCTIONS, lookups, pluginHost } from "./functions";
import { inPluginTerms, typeOfUrn } from "./names";
import { type PluginResource, pluginResources } from "./resources";
import { DROPPED_KEY_REASON, droppedKeys } from "./protoKeys";
import { fromStruct, toStruct } from "./values";

/** What the service answers with besides the runtime: its version and schema, and where to log. */
export interface ServiceOptions {
  /** The plugin's version, as installed. */
  readonly version: string;
  /** Reads the package schema, JSON text. */
  readonly schema: () => string;
  /** The engine's log. */
  readonly log: EngineLog;
}

/** Handles a unary call with a promise; a rejection becomes the gRPC error the engine reads. */
function unary<Req, Res>(handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    // A handler that throws at once is answered like one that rejects: with its message.
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
        (response) => callback(null, response),
        (err: unknown) => callback(grpcError(err)),
      );
  };
}

/**
 * An error as the engine reads it. One that carries the resource's `id` and `properties` (a
 * create that wrote something, then failed: see runtime/inDoubt.ts `partialFailure`) is an
 * initialization failure, which the engine records in state instead of forgetting what was written.
 */
export function grpcError(err: unknown): Partial<grpc.StatusObject> {
  const message = inPluginTerms(err instanceof Error ? err.message : String(err));
  const partial = err as { id?: unknown; properties?: unknown; reasons?: unknown };
  if (!(err instanceof Error) || typeof partial.id !== "string" || partial.id === "") {
    return { code: grpc.status.UNKNOWN, details: message };
  }
  const failed = new rpc.ErrorResourceInitFailed()
    .setId(partial.id)
    .setProperties(toStruct(partial.properties ?? {}))
    .setReasonsList([message]);
  const detail = new Any();
  detail.pack(failed.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new Status().setCode(grpc.status.UNKNOWN).setMessage(message);
  status.addDetails(detail);
  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

function checkFailures(failures: readonly CheckFailure[]): rpc.CheckFailure[] {
  return failures.map((f) =>
    new rpc.CheckFailure().setProperty(f.property).setReason(inPluginTerms(f.reason)),
  );
}

/** The detailed diff of a plan: each changed input, and whether its change replaces the resource. */
function detailedDiff(
  response: rpc.DiffResponse,
  plan: Pick<DiffPlan, "changed" | "replaces">,
  olds: Props,
  news: Props,
): rpc.DiffResponse {
  const kinds = rpc.PropertyDiff.Kind;
  const map = response.getDetaileddiffMap();
  for (const key of plan.changed) {
    const replace = plan.replaces.includes(key);
    const kind =
      olds[key] === undefined
        ? replace
          ? kinds.ADD_REPLACE
          : kinds.ADD
        : news[key] === undefined
          ? replace
            ? kinds.DELETE_REPLACE
            : kinds.DELETE
          : replace
            ? kinds.UPDATE_REPLACE
            : kinds.UPDATE;
    map.set(key, new rpc.PropertyDiff().setKind(kind).setInputdiff(true));
  }
  return response
    .setChanges(
      plan.changed.length > 0
        ? rpc.DiffResponse.DiffChanges.DIFF_SOME
        : rpc.DiffResponse.DiffChanges.DIFF_NONE,
    )
    .setDiffsList(plan.changed)
    .setReplacesList(plan.replaces)
    .setHasdetaileddiff(true);
}

/** The provider config's diff: a new ensemble (connect string or profiles) replaces, the rest updates. */
export function configDiff(olds: Props, news: Props): Pick<DiffPlan, "changed" | "replaces"> {
  const changed = Object.keys(CONFIG_KEYS).filter((k) => !sameValue(olds[k], news[k]));
  const replaces = replacingConfigKeys(olds, news).filter((k) => changed.includes(k));
  return { changed, replaces };
}

/** The keys of `props` that are inputs of the resource. */
function inputsIn(resource: PluginResource, props: Props): Props {
  return Object.fromEntries(resource.inputs.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

/** The resource provider service, for `grpc.Server.addService`. */
export function providerService(options: ServiceOptions): Partial<IResourceProviderServer> {
  const resources = pluginResources(options.log);
  const resourceOf = (type: string, urn: string): PluginResource => {
    const token = type || typeOfUrn(urn);
    const found = resources.get(token);
    if (!found) {
      throw new Error(
        `unknown resource type '${token}'; this plugin has ${[...resources.keys()].join(", ")}`,
      );
    }
    return found;
  };

  return {
    getPluginInfo: unary(() => Promise.resolve(new PluginInfo().setVersion(options.version))),

    getSchema: unary((request: rpc.GetSchemaRequest) => {
      if (request.getVersion() !== 0) throw new Error(`unsupported schema version ${request.getVersion()}`);
      return Promise.resolve(new rpc.GetSchemaResponse().setSchema(options.schema()));
    }),

    checkConfig: unary((request: rpc.CheckRequest) => {
      const failures = configFailures(fromStruct(request.getNews()));
      if (droppedKeys(request) > 0) failures.push({ property: "", reason: DROPPED_KEY_REASON });
      return Promise.resolve(
        new rpc.CheckResponse().setInputs(request.getNews()).setFailuresList(checkFailures(failures)),
      );
    }),

    diffConfig: unary((request: rpc.DiffRequest) => {
      const olds = fromStruct(request.getOldInputs() ?? request.getOlds());
      const news = fromStruct(request.getNews());
      return Promise.resolve(detailedDiff(new rpc.DiffResponse(), configDiff(olds, news), olds, news));
    }),

    configure: unary((request: rpc.ConfigureRequest) => {
      const variables = new Map(request.getVariablesMap().toArray());
      // Values not known yet (a preview of a provider configured from other resources) are left out.
      setConfig(providerConfig(knownConfig(configValues(fromStruct(request.getArgs()), variables))));
      return Promise.resolve(
        new rpc.ConfigureResponse()
          .setAcceptsecrets(false)
          .setAcceptresources(false)
          .setAcceptoutputs(false)
          .setSupportspreview(false),
      );
    }),

    check: unary(async (request: rpc.CheckRequest) => {
      const resource = resourceOf(request.getType(), request.getUrn());
      const checked = await resource.methods.check(
        fromStruct(request.getOlds()),
        fromStruct(request.getNews()),
      );
      const failures = [...checked.failures];
      if (droppedKeys(request) > 0) failures.push({ property: "", reason: DROPPED_KEY_REASON });
      return new rpc.CheckResponse()
        .setInputs(toStruct(checked.inputs))
        .setFailuresList(checkFailures(failures));
    }),

    diff: unary(async (request: rpc.DiffRequest) => {
      const resource = resourceOf(request.getType(), request.getUrn());
      const olds = fromStruct(request.getOlds());
      const news = fromStruct(request.getNews());
      const plan = (await resource.methods.diff(request.getId(), olds, news)) as DiffPlan;
      return detailedDiff(new rpc.DiffResponse(), plan, olds, news).setDeletebeforereplace(
        plan.deleteBeforeReplace,
      );
    }),

    create: unary(async (request: rpc.CreateRequest) => {
      const resource = resourceOf(request.getType(), request.getUrn());
      // The plugin answers Configure with supportsPreview false; should an engine ask anyway, a preview writes nothing.
      if (request.getPreview())
        return new rpc.CreateResponse().setId("").setProperties(request.getProperties());
      const { id, outs } = await resource.methods.create(fromStruct(request.getProperties()));
      return new rpc.CreateResponse().setId(id).setProperties(toStruct(outs));
    }),

    read: unary(async (request: rpc.ReadRequest) => {
      const resource = resourceOf(request.getType(), request.getUrn());
      const id = request.getId();
      const props = fromStruct(request.getProperties());
      if (Object.keys(props).length > 0) {
        const found = await resource.methods.read(id, props);
        const response = new rpc.ReadResponse().setId(found.id).setProperties(toStruct(found.props));
        return response.setInputs(request.getInputs());
      }
      // No state: `pulumi import` (or an `import` option) reads an existing resource by its id.
      if (!resource.importState) throw new Error(`cannot import '${id}': ${resource.importRemedy}`);
      const found = await resource.methods.read(id, resource.importState(id));
      if (!found.id) {
        throw new Error(
          `cannot import '${id}': there is no znode at that path on the provider's ensemble; ` +
            "check the id (the znode's absolute path) and the provider's connectString",
        );
      }
      return new rpc.ReadResponse()
        .setId(found.id)
        .setProperties(toStruct(found.props))
        .setInputs(toStruct(inputsIn(resource, found.props)));
    }),

    update: unary(async (request: rpc.UpdateRequest) => {
      const resource = resourceOf(request.getType(), request.getUrn());
      if (request.getPreview()) return new rpc.UpdateResponse().setProperties(request.getNews());
      const { outs } = await resource.methods.update(
        request.getId(),
        fromStruct(request.getOlds()),
        fromStruct(request.getNews()),
      );
      return new rpc.UpdateResponse().setProperties(toStruct(outs));
    }),

    delete: unary(async (request: rpc.DeleteRequest) => {
      const resource = resourceOf(request.getType(), request.getUrn());
      await resource.methods.delete(request.getId(), fromStruct(request.getProperties()));
      return new Empty();
    }),

    invoke: unary(async (request: rpc.InvokeRequest) => {
      const run = FUNCTIONS.get(request.getTok());
      if (!run) {
        throw new Error(
          `unknown function '${request.getTok()}'; this plugin has ${[...FUNCTIONS.keys()].join(", ")}`,
        );
      }
      if (droppedKeys(request) > 0) {
        const failure = new rpc.CheckFailure().setProperty("").setReason(DROPPED_KEY_REASON);
        return new rpc.InvokeResponse().setFailuresList([failure]);
      }
      try {
        const result = await run(
          fromStruct(request.getArgs()),
          pluginHost(request.getPreview(), options.log),
        );
        return new rpc.InvokeResponse().setReturn(toStruct(result));
      } catch (err) {
        // A lookup's own failure (its arguments, a wait that timed out) says everything: a failure, no trace.
        if (!(err instanceof lookups().LookupError)) throw err;
        const failure = new rpc.CheckFailure().setProperty("").setReason(inPluginTerms(err.message));
        return new rpc.InvokeResponse().setFailuresList([failure]);
      }
    }),

    cancel: unary(() => Promise.resolve(new Empty())),
  };
}

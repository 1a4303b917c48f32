import { ErrorResourceInitFailed } from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { grpcError } from "../../provider/plugin/server";
import { CreateInDoubt, keepInDoubt } from "../../provider/runtime/inDoubt";

// How the plugin hands errors to the engine: a create whose outcome is unknown must reach the
// engine as an initialization failure carrying the state (so the next up or refresh settles it),
// not as a plain error that makes the engine forget a znode that may exist.

describe("the plugin's errors", () => {
  it("turn a create in doubt into an initialization failure that carries the in-doubt state", () => {
    const cause = new CreateInDoubt(new Error("connection loss"), "4294967296");
    const err = grpcError(keepInDoubt(cause, "/app/x", { path: "/app/x", data: "d" }));
    const details = err.metadata?.get("grpc-status-details-bin") ?? [];
    expect(details).toHaveLength(1);
    const status = Status.deserializeBinary(new Uint8Array(details[0] as Buffer));
    const [any] = status.getDetailsList();
    expect(any.getTypeUrl()).toMatch(/pulumirpc\.ErrorResourceInitFailed$/);
    const failed = ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
    expect(failed.getId()).toBe("/app/x");
    expect(failed.getProperties()?.toJavaScript()).toMatchObject({
      path: "/app/x",
      data: "d",
      inDoubt: { createdAfter: "4294967296" },
      version: -1,
    });
    expect(failed.getReasonsList()).toEqual([expect.stringContaining("The create may have taken effect")]);
  });

  it("hand any other error over as its message, in the plugin's config terms", () => {
    const err = grpcError(
      new Error("set it with 'pulumi config set zookeeper:connectString h:2181' (zookeeper:2181 stays)"),
    );
    expect(err.metadata).toBeUndefined();
    expect(err.details).toBe(
      "set it with 'pulumi config set zkdiscovery:connectString h:2181' (zookeeper:2181 stays)",
    );
  });
});

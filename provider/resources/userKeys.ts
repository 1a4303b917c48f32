import * as pulumi from "@pulumi/pulumi";

/**
 * A map keyed by the user's own names (chroot children, payloads, metadata), made safe to hand to
 * Pulumi's SDK. The SDK prints every top-level input with a template string, which throws for an
 * object whose own `toString` is a string; as an Output it is not printed. A `__proto__` key
 * cannot be carried at all (the SDK's objects would take it as the prototype and drop it), so it
 * is refused here, before anything is planned or written.
 */
export function userKeyed<T>(
  value: pulumi.Input<T> | undefined,
  property: string,
): pulumi.Output<T> | undefined {
  if (value === undefined) return undefined;
  if (!pulumi.Output.isInstance(value) && !(value instanceof Promise)) refuseProto(value, property);
  return pulumi.output(value).apply((v) => {
    refuseProto(v, property);
    return v;
  }) as pulumi.Output<T>;
}

function refuseProto(value: unknown, property: string): void {
  if (value && typeof value === "object" && Object.hasOwn(value, "__proto__")) {
    throw new Error(
      `${property} has the key '__proto__', which JavaScript objects reserve: Pulumi cannot carry it through ` +
        "a program's inputs and state, so it would be dropped. Rename the key (a znode named __proto__ can be managed with ZkNode).",
    );
  }
}

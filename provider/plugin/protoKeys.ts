/**
 * Map keys named `__proto__`, which the JavaScript protobuf library drops when it decodes a
 * request: its maps are plain objects, where that key sets the prototype instead of adding an
 * entry. Programs in other languages can send such a key (a chroot child, a metadata key) and the
 * plugin must not lose it without a word. The name's count in a request's bytes, less its count
 * in the decoded request encoded again, is how many were dropped.
 */
import type * as grpc from "@grpc/grpc-js";

const NAME = Buffer.from("__proto__", "utf8");

function occurrences(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let at = buffer.indexOf(NAME); at !== -1; at = buffer.indexOf(NAME, at + 1)) count++;
  return count;
}

/** Decoded requests that lost keys, and how many. */
const dropped = new WeakMap<object, number>();

/** How many `__proto__` keys the decoding of `request` dropped (0 for requests not decoded by {@link counting}). */
export function droppedKeys(request: object): number {
  return dropped.get(request) ?? 0;
}

/** A method definition whose decoding also counts the `__proto__` keys it dropped. */
export function counting<Req extends { serializeBinary(): Uint8Array }, Res>(
  method: grpc.MethodDefinition<Req, Res>,
): grpc.MethodDefinition<Req, Res> {
  return {
    ...method,
    requestDeserialize: (raw: Buffer) => {
      const request = method.requestDeserialize(raw);
      const lost = occurrences(raw) - occurrences(request.serializeBinary());
      if (lost > 0) dropped.set(request, lost);
      return request;
    },
  };
}

/** What the check of inputs that lost keys reports. */
export const DROPPED_KEY_REASON =
  "these inputs have a map key '__proto__' (a chroot child, a metadata, payload or profile key), which " +
  "the plugin cannot receive: Pulumi's JavaScript protobuf library drops it, so it would be lost. " +
  "Rename the key (a znode named __proto__ can be managed with ZkNode).";

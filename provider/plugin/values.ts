/**
 * Property values between the engine's protobuf Structs and the runtime's plain objects.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { Props } from "../runtime/dynamic";

/** The key that marks a special value (secret, asset, resource reference) in a Struct. */
const SIGNATURE = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/**
 * A value with secrets unwrapped. The plugin tells the engine it does not take secrets, so the
 * engine sends plain values and keeps secretness itself; this guards against one that does not.
 */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object") return value;
  const record = value as Props;
  if (record[SIGNATURE] === SECRET) return plain(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plain(v)]));
}

/** The properties in a Struct, plain. */
export function fromStruct(struct: Struct | undefined): Props {
  return struct ? (plain(struct.toJavaScript()) as Props) : {};
}

/** A Struct of properties. Through JSON: a Struct cannot carry undefined values. */
export function toStruct(props: object): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, never>);
}

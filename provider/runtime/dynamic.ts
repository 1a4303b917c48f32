import type * as pulumi from "@pulumi/pulumi";
import type * as Schemas from "../core/schemas";
import { type AclEntry, normalizeAcl } from "../core/acl";
import { sameValue } from "../core/diff";

/** The methods of a dynamic provider, as the runtime implements them for one resource type. */
export type ProviderMethods = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
>;

/** Outputs as the engine hands them back: untyped. */
export type Props = Record<string, unknown>;

let schemas: typeof Schemas | undefined;

/**
 * The input schemas, loaded by the first `check`: zod and the schemas take about 50 ms of CPU to
 * load, which a provider process that only deletes or reads (`destroy`, `refresh`) never needs.
 */
export function inputSchemas(): typeof Schemas {
  return (schemas ??= require("../core/schemas") as typeof Schemas);
}

/** Encodes znode data the way the inputs gave it: UTF-8 text or base64 bytes. */
export function dataBytes(inputs: { data?: string; dataBase64?: string }): Buffer {
  return inputs.dataBase64 !== undefined
    ? Buffer.from(inputs.dataBase64, "base64")
    : Buffer.from(inputs.data ?? "", "utf8");
}

/** Decodes znode data read back into the same shape the inputs used (text unless bytes were given or it is not UTF-8). */
export function dataFields(data: Buffer, preferBase64: boolean): { data?: string; dataBase64?: string } {
  const text = data.toString("utf8");
  if (!preferBase64 && Buffer.from(text, "utf8").equals(data)) return { data: text };
  return { dataBase64: data.toString("base64") };
}

/**
 * New inputs with an absent `acl` read as the recorded one: a resource without an explicit ACL
 * inherits its ancestor's when created, and leaves it alone afterwards.
 */
export function withRecordedAcl(olds: Props, news: Props): Props {
  return news.acl === undefined ? { ...news, acl: olds.acl } : news;
}

/** The ACL an update must set, or undefined when it stays as recorded. */
export function aclChange(
  olds: Props,
  acl: readonly AclEntry[] | undefined,
): readonly AclEntry[] | undefined {
  if (!acl) return undefined;
  return sameValue(normalizeAcl(olds.acl as AclEntry[]), normalizeAcl(acl)) ? undefined : acl;
}

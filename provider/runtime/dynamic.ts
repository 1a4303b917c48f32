import type * as pulumi from "@pulumi/pulumi";
import type * as Schemas from "../core/schemas";
import { type AclEntry, normalizeAcl } from "../core/acl";
import { sameValue } from "../core/diff";

/**
 * The methods of a dynamic provider, as the runtime implements them for one resource type:
 * `Inputs` are the checked inputs `check` returns, `State` what create, read and update record.
 * `check` is the one method that sees the user's inputs before they are checked, so it takes
 * them untyped, and hands invalid ones back as given, with the failures. `check` and `diff`
 * only compute, so they answer at once.
 */
export type ProviderMethods<Inputs, State> = Required<
  Pick<pulumi.dynamic.ResourceProvider<Inputs, State>, "create" | "read" | "update" | "delete">
> & {
  /** Validates the user's inputs and applies defaults: `Inputs` when valid, else as given. */
  check(olds: Props, news: Props): Checked;
  /** Compares recorded state with new checked inputs. */
  diff(id: string, olds: State, news: Inputs): pulumi.dynamic.DiffResult;
};

/** What `check` returns: the inputs to use and the failures, if any. */
export type Checked = { inputs: Props; failures: pulumi.dynamic.CheckFailure[] };

/** Values as the engine hands them over: untyped. */
export type Props = Record<string, unknown>;

/** A resource type's methods as the engine calls them: untyped values in and out. */
export interface EngineMethods {
  /** Validates the user's inputs and applies defaults. */
  check(olds: Props, news: Props): Promise<Checked>;
  /** Compares recorded state with new checked inputs. */
  diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  /** Creates the resource from checked inputs. */
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  /** Reads the resource back; an empty id means it is gone (the engine reads absent props as `{}`). */
  read(id: string, props: Props): Promise<{ id: string; props: Props }>;
  /** Brings the resource from recorded state to new checked inputs. */
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  /** Deletes the resource recorded in state. */
  delete(id: string, props: Props): Promise<void>;
}

/**
 * A resource type's methods as the engine calls them, from typed ones. The engine hands values
 * over untyped: state as it stored it (from whichever version of this package wrote it), which
 * `parse` turns into `State` once, at the door; and the inputs that `check` returned, which are
 * `Inputs` by construction. `check` gets the user's raw inputs and validates them itself.
 */
export function engineMethods<Inputs extends object, State extends object>(
  parse: (recorded: Props) => State,
  methods: ProviderMethods<Inputs, State>,
): EngineMethods {
  const checked = (news: Props) => news as Inputs;
  return {
    check: (olds, news) => Promise.resolve(methods.check(olds, news)),
    diff: (id, olds, news) => Promise.resolve(methods.diff(id, parse(olds), checked(news))),
    create: async (inputs) => {
      const { id, outs } = await methods.create(checked(inputs));
      return { id, outs: { ...outs } };
    },
    read: async (id, props) => {
      const found = await methods.read(id, parse(props));
      return { id: found.id ?? id, props: { ...found.props } };
    },
    update: async (id, olds, news) => {
      const { outs } = await methods.update(id, parse(olds), checked(news));
      return { outs: { ...outs } };
    },
    delete: (id, props) => methods.delete(id, parse(props)),
  };
}

/** What `read` returns for a resource that is gone: an empty id drops it from state. */
export const GONE = { id: "" } as const;

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
export function withRecordedAcl<News extends { acl?: readonly AclEntry[] }>(
  olds: { acl?: readonly AclEntry[] },
  news: News,
): News {
  return news.acl === undefined ? { ...news, acl: olds.acl } : news;
}

/** The ACL an update must set, or undefined when it stays as recorded. */
export function aclChange(
  olds: { acl: readonly AclEntry[] },
  acl: readonly AclEntry[] | undefined,
): readonly AclEntry[] | undefined {
  if (!acl) return undefined;
  return sameValue(normalizeAcl(olds.acl), normalizeAcl(acl)) ? undefined : acl;
}

/**
 * The ACL a settled state records. Only a create in doubt can lack one (its `acl` input was
 * absent: inherited); once settled, state records the ACL written or found.
 */
export function settledAcl(state: { acl?: AclEntry[] }): AclEntry[] {
  return state.acl ?? [];
}

/**
 * The ACL recorded in state: entries as written (earlier versions wrote the same shape). Absent
 * only while a create is in doubt and no `acl` was given: the znode inherits its ancestor's.
 */
export function aclFromState(value: unknown): AclEntry[] | undefined {
  return Array.isArray(value) ? (value as AclEntry[]) : undefined;
}

/** A list of paths recorded in state, empty when an earlier version recorded none. */
export function pathsFromState(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

import type * as pulumi from "@pulumi/pulumi";
import type { ProviderMethods, Props } from "../../provider/runtime/dynamic";

/**
 * Typed calls of the provider runtime's methods for tests. The dynamic provider interface hands
 * back `any`; these give the results a type to read them through, and change nothing else.
 */

/** What `check` returned: the checked inputs as `T`, and the failures. */
export interface Checked<T> {
  readonly inputs: T;
  readonly failures?: pulumi.dynamic.CheckFailure[];
}

/** Runs `methods.check(olds, news)`; `T` is the checked inputs' type. */
export async function checkWith<T = Props>(
  methods: ProviderMethods,
  olds: Props,
  news: Props,
): Promise<Checked<T>> {
  return (await methods.check(olds, news)) as Checked<T>;
}

/** Runs `methods.create(inputs)`: the id and the outputs. */
export async function createWith(
  methods: ProviderMethods,
  inputs: object,
): Promise<{ id: string; outs: Props }> {
  const { id, outs } = (await methods.create(inputs)) as pulumi.dynamic.CreateResult<Props>;
  return { id, outs: outs ?? {} };
}

/** Runs `methods.update(id, olds, news)`: the new outputs. */
export async function updateWith(
  methods: ProviderMethods,
  id: string,
  olds: object,
  news: object,
): Promise<{ outs: Props }> {
  const { outs } = (await methods.update(id, olds, news)) as pulumi.dynamic.UpdateResult<Props>;
  return { outs: outs ?? {} };
}

/** Runs `methods.read(id, props)`: the id found (empty when gone) and the outputs read. */
export async function readWith(
  methods: ProviderMethods,
  id: string,
  props: object,
): Promise<pulumi.dynamic.ReadResult<Props>> {
  return (await methods.read(id, props)) as pulumi.dynamic.ReadResult<Props>;
}

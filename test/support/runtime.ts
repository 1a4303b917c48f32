import type * as pulumi from "@pulumi/pulumi";
import type { EngineMethods, Props } from "../../provider/runtime/dynamic";

/** What `check` returned, with the checked inputs read as `T`. */
export interface Checked<T> {
  readonly inputs: T;
  readonly failures: pulumi.dynamic.CheckFailure[];
}

/**
 * Runs `methods.check(olds, news)` and reads the checked inputs as `T`, the resource's type of
 * checked inputs (what the engine passes to `create` and `update` afterwards).
 */
export async function checkWith<T = Props>(
  methods: EngineMethods,
  olds: Props,
  news: Props,
): Promise<Checked<T>> {
  const { inputs, failures } = await methods.check(olds, news);
  return { inputs: inputs as T, failures };
}

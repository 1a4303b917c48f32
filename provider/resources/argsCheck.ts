/**
 * Compile-time checks that a public Args type and its resource's schema agree (docs/DESIGN.md
 * §4.5): the same inputs, and every value an Args allows (its Inputs resolved) one the schema
 * takes. Types only: nothing here exists at run time, and the published `.d.ts` files keep none of it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { zkChrootInputs, zkNodeInputs, zkServiceRegistrationInputs } from "../core/schemas";
import type { ZkChrootArgs } from "./zkChroot";
import type { ZkNodeArgs } from "./zkNode";
import type { ZkServiceRegistrationArgs } from "./zkServiceRegistration";

/** Compiles only when its argument is `true`; otherwise the error shows what is wrong. */
export type Assert<T extends true> = T;

/** An Args type with its Inputs resolved, as the provider receives it. */
type Resolved<Args> = { [K in keyof Args]: pulumi.Unwrap<Args[K]> };

/**
 * `true` when `Args` and the schema's input type `SchemaInput` have the same keys and each resolved
 * Args value is a schema input; otherwise a type naming the keys on one side only.
 */
export type ArgsMatchSchema<Args, SchemaInput> = [
  Exclude<keyof Args, keyof SchemaInput>,
  Exclude<keyof SchemaInput, keyof Args>,
] extends [never, never]
  ? Resolved<Args> extends SchemaInput
    ? true
    : { argsValuesTheSchemaRefuses: Resolved<Args> }
  : {
      onlyInArgs: Exclude<keyof Args, keyof SchemaInput>;
      onlyInSchema: Exclude<keyof SchemaInput, keyof Args>;
    };

/** The checks, one per resource: a mismatch fails `tsc` here, naming the inputs on one side only. */
export type ArgsChecks = [
  Assert<ArgsMatchSchema<ZkNodeArgs, z.input<typeof zkNodeInputs>>>,
  Assert<ArgsMatchSchema<ZkChrootArgs, z.input<typeof zkChrootInputs>>>,
  Assert<ArgsMatchSchema<ZkServiceRegistrationArgs, z.input<typeof zkServiceRegistrationInputs>>>,
];

import fc from "fast-check";
import { defaultInstanceId } from "../../provider/core/formats";
import { type Props } from "../../provider/runtime/dynamic";
import { type AclEntry } from "../../provider/core/acl";
import { ACLS, type AclName, type FaultSpec, LAYOUT, type SlotName, type World } from "./world";

/**
 * The commands of an adversary sequence and their generators. Each command prints as the call a
 * reader can replay by hand, e.g. `up(c1, {children: {toString: "v1"}}) +lose-reply(write)`.
 */

/** A command of a sequence. */
export abstract class Command {
  abstract run(world: World): Promise<void>;
  abstract toString(): string;
  [fc.toStringMethod](): string {
    return this.toString();
  }
}

/** Names that break plain-object lookups, non-ASCII, nested and long names, and `__proto__`. */
const LONG_NAME = "L".repeat(255);
const LONG_BMP_NAME = "é".repeat(400);
const HUGE_NAME = "H".repeat(300_000);
export const CHILD_NAMES = [
  "toString",
  "constructor",
  "__proto__",
  "hasOwnProperty",
  "valueOf",
  "a",
  "a/b",
  "ü-ß",
  "名前/値",
  LONG_NAME,
  LONG_BMP_NAME,
] as const;

/** Data the stacks and the foreign writer share, so a foreign znode can hold exactly what a stack writes. */
export const DATA = ["", "v1", "v2", "ünï €"] as const;

/** Prints a string short enough for a counterexample line. */
function short(s: string): string {
  if (s.length <= 24) return JSON.stringify(s);
  return `${JSON.stringify(s[0])}×${s.length}`;
}

function showValue(v: unknown): string {
  if (typeof v === "string") return short(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(", ")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map(
        (k) => `${/^[A-Za-z_]\w*$/.test(k) ? k : short(k)}: ${showValue((v as Record<string, unknown>)[k])}`,
      )
      .join(", ")}}`;
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Program inputs: relative to the sequence root, made absolute when run

/** What a program declares for one resource; `path`s are filled in by {@link inputsOf}. */
export type Spec = Record<string, unknown>;

/** `arb` once in `n` draws, undefined otherwise (undefined is where shrinking goes). */
const sometimes = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const aclArb = sometimes(fc.constantFrom<AclName>("open", "openIp"), 3);
/** `ADVERSARY_ADOPT=0` leaves `adopt` out, to look past a known finding. */
const adoptArb =
  process.env.ADVERSARY_ADOPT === "0" ? fc.constant(undefined) : sometimes(fc.constant(true), 8);

const nodeSpec = fc.record(
  { data: fc.constantFrom(...DATA), acl: aclArb, adopt: adoptArb },
  { requiredKeys: ["data"] },
);

const childName = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom(...CHILD_NAMES) },
  { weight: 1, arbitrary: fc.constant(HUGE_NAME) },
);
const chrootSpec = fc.record(
  {
    data: fc.constantFrom(...DATA),
    children: fc
      .uniqueArray(fc.tuple(childName, fc.constantFrom(...DATA)), { selector: ([k]) => k, maxLength: 4 })
      .map((entries) => Object.fromEntries(entries) as Record<string, string>),
    deletePolicy: fc.constantFrom("refuse", "recursive"),
    acl: aclArb,
    adopt: adoptArb,
  },
  { requiredKeys: ["data", "children", "deletePolicy"] },
);

const registrationSpec = (hosts: readonly string[], instanceId: string) =>
  fc.record(
    {
      format: fc.constantFrom("curator", "serverset", "json"),
      address: fc.constantFrom(...hosts),
      port: fc.constantFrom(8080, 9090),
      instanceId: sometimes(fc.constant(instanceId), 2),
      payload: sometimes(fc.record({ n: fc.nat(3) }), 3),
      // Draining and enabling again rewrite the znode in place, compare-and-set like any change.
      enabled: sometimes(fc.boolean(), 3),
      acl: aclArb,
      adopt: adoptArb,
    },
    { requiredKeys: ["format", "address", "port"] },
  );

const SPECS: Record<SlotName, fc.Arbitrary<Spec>> = {
  n1: nodeSpec,
  n2: nodeSpec,
  c1: chrootSpec,
  c2: chrootSpec,
  r1: registrationSpec(["10.0.0.1", "10.0.0.2"], "instance-1"),
  r2: registrationSpec(["10.0.1.1"], "instance-2"),
};

/** The raw program inputs of a spec, under the world's root. */
export function inputsOf(world: World, slot: SlotName, spec: Spec): Props {
  const acl =
    spec.acl === undefined ? {} : { acl: ACLS[spec.acl as AclName].map((e) => ({ ...e })) as AclEntry[] };
  // Undefined inputs are absent, as after the engine's trip through protobuf.
  const rest = Object.fromEntries(Object.entries(spec).filter(([k, v]) => k !== "acl" && v !== undefined));
  switch (LAYOUT[slot].kind) {
    case "node":
      return { ...rest, ...acl, path: world.pathOf(slot), createParents: slot === "n2" };
    case "chroot":
      return { ...rest, ...acl, path: world.pathOf(slot) };
    default:
      return { ...rest, ...acl, basePath: world.pathOf(slot), service: "api" };
  }
}

// ---------------------------------------------------------------------------------------------
// Faults

/** A lost reply or a dropped connection on the first write (or read) of each kind a command sends. */
const faultArb = (...groups: FaultSpec["on"][]): fc.Arbitrary<FaultSpec | undefined> =>
  sometimes(
    fc.record({
      on: fc.constantFrom(...groups),
      fault: fc.constantFrom({ kind: "lose-reply" } as const, { kind: "drop-after-request" } as const),
    }),
    3,
  );
const upFault = faultArb("write", "read");
const refreshFault = faultArb("read");
const destroyFault = faultArb("write", "read");

const showFault = (f: FaultSpec | undefined) => (f ? ` +${f.fault.kind}(${f.on})` : "");

// ---------------------------------------------------------------------------------------------
// Engine commands

class Up extends Command {
  constructor(
    readonly slot: SlotName,
    readonly spec: Spec,
    readonly fault: FaultSpec | undefined,
  ) {
    super();
  }
  async run(world: World): Promise<void> {
    world.log.push(this.toString());
    await world.up(this.slot, inputsOf(world, this.slot, this.spec), this.fault);
  }
  toString(): string {
    return `up(${this.slot}, ${showValue(this.spec)})${showFault(this.fault)}`;
  }
}

/** `pulumi refresh` or the resource leaving the program (`destroy`) for one resource. */
class ReadOrDelete extends Command {
  constructor(
    readonly action: "refresh" | "destroy",
    readonly slot: SlotName,
    readonly fault: FaultSpec | undefined,
  ) {
    super();
  }
  async run(world: World): Promise<void> {
    world.log.push(this.toString());
    await world[this.action](this.slot, this.fault);
  }
  toString(): string {
    return `${this.action}(${this.slot})${showFault(this.fault)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The foreign writer

/**
 * Znodes the foreign writer goes for: each resource's own znode (`n1`, `r1`: its current znode),
 * chroot children by name, parents the provider creates, and siblings nobody manages.
 */
const FOREIGN_CHILDREN = ["toString", "constructor", "hasOwnProperty", "a", "a/b", "ü-ß", "x"];
const targetArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("n1", "n2", "c1", "c2", "r1", "r2") },
  { weight: 4, arbitrary: fc.constantFrom(...FOREIGN_CHILDREN.flatMap((c) => [`c1/${c}`, `c2/${c}`])) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "c1/a/foreign",
      "/s2/deep",
      "/services",
      "/services/api",
      "/services/api/foreign",
      "/s1/sibling",
    ),
  },
);

/** The absolute path of a target, from the world's current state. */
function targetPath(world: World, target: string): string {
  if (target.startsWith("/")) return world.root + target;
  const [slot, ...rest] = target.split("/") as [SlotName, ...string[]];
  if (rest.length > 0) return `${world.pathOf(slot)}/${rest.join("/")}`;
  if (LAYOUT[slot].kind !== "registration") return world.pathOf(slot);
  const recorded = world.slots[slot].state?.outs.path;
  if (typeof recorded === "string" && !recorded.endsWith("member_")) return recorded;
  const declared = world.slots[slot].declared ?? {};
  const id =
    typeof declared.instanceId === "string"
      ? declared.instanceId
      : defaultInstanceId(
          (declared.address as string | undefined) ?? (slot === "r1" ? "10.0.0.1" : "10.0.1.1"),
          Number(declared.port ?? 8080),
          undefined,
        );
  return `${world.pathOf(slot)}/api/${id}`;
}

/**
 * `create` fails on an existing znode; `write` sets the data, or creates the znode when absent;
 * `recreate` deletes and creates it again with the same data and ACL (creates it when absent).
 */
const ALL_FOREIGN_OPS = ["create", "write", "delete", "recreate", "setAcl"] as const;
type ForeignOp = (typeof ALL_FOREIGN_OPS)[number];
/** `ADVERSARY_FOREIGN_OPS=create,delete` narrows the foreign writer, to look past a known finding. */
const FOREIGN_OPS: ForeignOp[] = process.env.ADVERSARY_FOREIGN_OPS
  ? ALL_FOREIGN_OPS.filter((op) => (process.env.ADVERSARY_FOREIGN_OPS ?? "").split(",").includes(op))
  : [...ALL_FOREIGN_OPS];

class Foreign extends Command {
  constructor(
    readonly op: ForeignOp,
    readonly target: string,
    readonly data: string,
    readonly acl: AclName,
  ) {
    super();
  }
  async run(world: World): Promise<void> {
    const path = targetPath(world, this.target);
    const data = Buffer.from(this.data);
    await world.foreignWrite(this.toString(), async (zk) => {
      const exists = (await zk.exists(path)) !== undefined;
      if (this.op === "create" || (!exists && (this.op === "write" || this.op === "recreate")))
        await zk.create(path, data, [...ACLS.open]);
      else if (this.op === "write") await zk.setData(path, data, -1);
      else if (this.op === "delete") await zk.remove(path, -1);
      else if (this.op === "setAcl") await zk.setAcl(path, [...ACLS[this.acl]], -1);
      else {
        // Same data and ACL, new creation zxid: only the identity check can tell it from the original.
        const old = await zk.getData(path);
        const { acl } = await zk.getAcl(path);
        await zk.remove(path, -1);
        await zk.create(path, old.data, acl);
      }
    });
  }
  toString(): string {
    const what = this.op === "setAcl" ? this.acl : this.op === "delete" ? "" : short(this.data);
    return `foreign.${this.op}(${this.target}${what ? `, ${what}` : ""})`;
  }
}

/** `ADVERSARY_SLOTS=c1,c2` drives only those resources (the foreign writer still goes everywhere). */
const SLOT_NAMES = (Object.keys(LAYOUT) as SlotName[]).filter(
  (s) => !process.env.ADVERSARY_SLOTS || process.env.ADVERSARY_SLOTS.split(",").includes(s),
);
const slotArb = fc.constantFrom(...SLOT_NAMES);

/** One command: mostly `up`s and foreign writes, some refreshes and destroys, a third with a fault. */
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: slotArb.chain((slot) =>
      fc.tuple(SPECS[slot], upFault).map(([spec, fault]) => new Up(slot, spec, fault) as Command),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(slotArb, refreshFault).map(([s, f]) => new ReadOrDelete("refresh", s, f) as Command),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(slotArb, destroyFault).map(([s, f]) => new ReadOrDelete("destroy", s, f) as Command),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...FOREIGN_OPS),
        targetArb,
        fc.constantFrom(...DATA),
        fc.constantFrom<AclName>("openIp", "ip"),
      )
      .map(([op, target, data, acl]) => new Foreign(op, target, data, acl) as Command),
  },
);

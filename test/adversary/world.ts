import { isDeepStrictEqual } from "util";
import { zkChroot, zkNode, zkServiceRegistration } from "../../provider/runtime";
import { type EngineMethods, type Props } from "../../provider/runtime/dynamic";
import { PARENT_MARKER } from "../../provider/runtime/parents";
import { type ZkClient } from "../../provider/zk/client";
import { errorCode } from "../../provider/zk/errors";
import { type Fault, type FaultProxy, type RequestKind } from "../support/fault";
import { statTree, type ZnodeSnapshot } from "../support/zk";

/**
 * The adversary's world: a few resources of two stacks driven through the provider's own methods
 * as the Pulumi engine calls them, a foreign writer on the same tree, and a model of who wrote
 * each znode last. Every step is checked against a full snapshot of the tree; a broken invariant
 * throws {@link Violation}, which fast-check shrinks to the shortest sequence that still breaks it.
 */

/** The resources: `n` ZkNode, `c` ZkChroot, `r` ZkServiceRegistration, in stacks 1 and 2. */
export const SLOTS = ["n1", "c1", "r1", "n2", "c2", "r2"] as const;
/** One of the resources. */
export type SlotName = (typeof SLOTS)[number];
/** A resource type. */
export type Kind = "node" | "chroot" | "registration";

/** Who wrote a znode: the test's own setup, the foreign writer, or a resource. */
type Actor = "harness" | "foreign" | SlotName;

/** ACLs by name; every one grants everything to loopback clients, so no step locks the test out. */
export const ACLS = {
  open: [{ scheme: "world", id: "anyone", perms: "rwcda" }],
  openIp: [
    { scheme: "world", id: "anyone", perms: "rwcda" },
    { scheme: "ip", id: "127.0.0.1", perms: "rwcda" },
  ],
  ip: [{ scheme: "ip", id: "127.0.0.1", perms: "rwcda" }],
} as const;
/** The name of one of {@link ACLS}. */
export type AclName = keyof typeof ACLS;

/** Where each resource lives, relative to the sequence's root (for registrations, the base path). */
export const LAYOUT: Record<SlotName, { kind: Kind; path: string }> = {
  n1: { kind: "node", path: "/s1/node" },
  c1: { kind: "chroot", path: "/s1/chroot" },
  r1: { kind: "registration", path: "/services" },
  n2: { kind: "node", path: "/s2/deep/node" },
  c2: { kind: "chroot", path: "/s2/app" },
  r2: { kind: "registration", path: "/services" },
};
/** Znodes the harness creates before each sequence: nobody else may write them. */
export const HARNESS_DIRS = ["/s1", "/s2"];

const METHODS: Record<Kind, EngineMethods> = {
  node: zkNode,
  chroot: zkChroot,
  registration: zkServiceRegistration,
};

/** A resource in a stack's state, as the engine keeps it. */
export interface Resource {
  readonly id: string;
  readonly outs: Props;
}

interface Slot {
  readonly name: SlotName;
  readonly kind: Kind;
  /** What the engine's state holds. */
  state?: Resource;
  /** Replaced resources whose delete failed: the engine retries them on the next update. */
  pendingDeletes: Resource[];
  /** The inputs the program declares now; undefined once destroyed. */
  declared?: Props;
}

/** A broken invariant; its message says which one, the step and the recent steps. */
export class Violation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Violation";
  }
}

/** Messages a provider call may fail with: conflicts the user can act on. Anything else is a defect. */
const CONFLICTS = [
  /was changed outside this stack/,
  /was deleted and re-created outside this stack/,
  /was deleted outside this stack/,
  /already exists/,
  /has children this stack does not manage/,
  /its parent .* does not exist/,
  /The create may have taken effect/,
];

/** The record state keeps of one znode. */
interface Recorded {
  readonly version: number;
  readonly aversion: number;
  readonly czxid: string;
  readonly mzxid?: string;
  /** The data state says the znode holds, when it says. */
  readonly data?: Buffer;
}

/** Run figures, summed over every sequence. */
export interface Figures {
  sequences: number;
  steps: number;
  providerCalls: number;
  providerFailures: number;
  validationFailures: number;
  foreignWrites: number;
  faultsArmed: number;
  faultsFired: number;
  convergedResources: number;
}

/** Figures at zero. */
export const newFigures = (): Figures => ({
  sequences: 0,
  steps: 0,
  providerCalls: 0,
  providerFailures: 0,
  validationFailures: 0,
  foreignWrites: 0,
  faultsArmed: 0,
  faultsFired: 0,
  convergedResources: 0,
});

type Method = "create" | "update" | "delete" | "read";

/** What a provider call may legitimately do to the tree besides writing its own znodes. */
interface CallContext {
  readonly slot: SlotName;
  readonly method: Method;
  /** Paths the slot's state recorded before the call. */
  readonly recordedBefore: Set<string>;
  /** A create with `adopt: true` may take these over. */
  readonly adoptPaths?: Set<string>;
  /** A destroy with deletePolicy `recursive` may delete anything under this chroot. */
  readonly recursiveRoot?: string;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error & Record<string, unknown> };

const key = (path: string, czxid: string) => `${path}@${czxid}`;
const under = (path: string, root: string) => path === root || path.startsWith(`${root}/`);
const show = (s: string) => (s.length > 80 ? `${s.slice(0, 40)}…(${s.length} chars)` : s);

/** One sequence's tree, stacks and model; see the module comment. */
export class World {
  readonly slots: Record<SlotName, Slot>;
  private tree = new Map<string, ZnodeSnapshot>();
  /** Who wrote the znode now at each path last. */
  private readonly writer = new Map<string, { data: Actor | "nobody"; acl: Actor | "nobody" }>();
  /** Who created each znode, by path and creation zxid. */
  private readonly creator = new Map<string, Actor>();
  /** `slot path@czxid`: znodes a resource took over by `adopt` or accepted by a refresh. */
  private readonly granted = new Set<string>();
  /** Parents a resource created on the way (marked), by path and creation zxid: no state records them. */
  private readonly parents = new Set<string>();
  /** Paths the foreign writer deleted, until anyone creates them again. */
  private readonly foreignDeleted = new Set<string>();
  /** The steps so far, for a failure's message. */
  readonly log: string[] = [];

  constructor(
    readonly root: string,
    private readonly foreign: ZkClient,
    private readonly reader: ZkClient,
    private readonly proxy: FaultProxy,
    readonly figures: Figures,
  ) {
    this.slots = Object.fromEntries(
      SLOTS.map((name) => [name, { name, kind: LAYOUT[name].kind, pendingDeletes: [] }]),
    ) as unknown as Record<SlotName, Slot>;
  }

  /** Creates the sequence's root and the stacks' directories, and takes the first snapshot. */
  async init(): Promise<void> {
    for (const p of ["", ...HARNESS_DIRS])
      await this.foreign.create(this.root + p, Buffer.from("harness"), [...ACLS.open]);
    this.tree = await statTree(this.reader, this.root);
    for (const [p, z] of this.tree) {
      this.writer.set(p, { data: "harness", acl: "harness" });
      this.creator.set(key(p, z.czxid), "harness");
    }
  }

  /** The absolute path of a resource's fixed location. */
  pathOf(slot: SlotName): string {
    return this.root + LAYOUT[slot].path;
  }

  /** Throws a {@link Violation} with the steps that led to it. */
  fail(message: string): never {
    const recent = this.log.slice(-30).map((l) => `  ${l}`);
    throw new Violation(`${message}\n  steps of this sequence so far (last 30):\n${recent.join("\n")}`);
  }

  // -------------------------------------------------------------------------------------------
  // The foreign writer

  /** One write by the foreign writer; a write ZooKeeper refuses (no parent, not empty, ...) is a no-op. */
  async foreignWrite(describe: string, write: (client: ZkClient) => Promise<unknown>): Promise<void> {
    this.figures.steps++;
    let result = "done";
    try {
      await write(this.foreign);
      this.figures.foreignWrites++;
    } catch (err) {
      if (errorCode(err) === undefined) throw err;
      result = `refused (${errorCode(err)})`;
    }
    this.log.push(`${describe}: ${result}`);
    const after = await statTree(this.reader, this.root);
    for (const change of changes(this.tree, after)) this.attribute(change, "foreign");
    this.tree = after;
  }

  // -------------------------------------------------------------------------------------------
  // The engine

  /** `pulumi up` of one resource with these program inputs, as the engine runs it. */
  async up(name: SlotName, raw: Props, fault?: FaultSpec): Promise<void> {
    const slot = this.slots[name];
    slot.declared = raw;
    await this.withFault(fault, async () => {
      for (const old of [...slot.pendingDeletes]) {
        const done = await this.callDelete(slot, old);
        if (done) slot.pendingDeletes.splice(slot.pendingDeletes.indexOf(old), 1);
        else return;
      }
      await this.apply(slot, raw);
    });
  }

  /** Brings one resource to the given inputs: create, update or replace; returns the failure, if any. */
  private async apply(slot: Slot, raw: Props): Promise<Error | undefined> {
    const methods = METHODS[slot.kind];
    const st = slot.state;
    const checked = await methods.check(st?.outs ?? {}, raw);
    if (checked.failures && checked.failures.length > 0) {
      this.figures.validationFailures++;
      for (const f of checked.failures)
        if (!f.property || !f.reason)
          this.fail(`check failed without naming a property: ${JSON.stringify(f)}`);
      this.log.push(
        `  check(${slot.name}) refused: ${checked.failures[0]?.property}: ${checked.failures[0]?.reason}`,
      );
      return new Error("check failed");
    }
    const inputs = checked.inputs ?? this.fail(`check(${slot.name}) passed but returned no inputs`);
    if (!st) return this.callCreate(slot, inputs);
    if (!st.outs.inDoubt) {
      const d = await methods.diff(st.id, st.outs, inputs);
      if (!d.changes) {
        this.log.push(`  diff(${slot.name}): no changes`);
        return undefined;
      }
      if (d.replaces && d.replaces.length > 0) {
        this.log.push(`  diff(${slot.name}): replace (${d.replaces.join(", ")})`);
        if (d.deleteBeforeReplace) {
          if (!(await this.callDelete(slot, st))) return new Error("delete failed");
          slot.state = undefined;
          return this.callCreate(slot, inputs);
        }
        const failed = await this.callCreate(slot, inputs);
        if (failed) return failed;
        if (!(await this.callDelete(slot, st))) slot.pendingDeletes.push(st);
        return undefined;
      }
    }
    return this.callUpdate(slot, inputs);
  }

  /** `pulumi refresh` of one resource. */
  async refresh(name: SlotName, fault?: FaultSpec): Promise<void> {
    const slot = this.slots[name];
    await this.withFault(fault, async () => {
      if (slot.state) slot.state = await this.callRead(slot, slot.state);
      for (const [i, old] of slot.pendingDeletes.entries()) {
        const now = await this.callRead(slot, old);
        if (now) slot.pendingDeletes[i] = now;
      }
      slot.pendingDeletes = slot.pendingDeletes.filter((r) => r.id !== "");
    });
  }

  /** `pulumi destroy` of one resource (it leaves the program). */
  async destroy(name: SlotName, fault?: FaultSpec): Promise<void> {
    const slot = this.slots[name];
    slot.declared = undefined;
    await this.withFault(fault, async () => {
      for (const old of [...slot.pendingDeletes])
        if (await this.callDelete(slot, old)) slot.pendingDeletes.splice(slot.pendingDeletes.indexOf(old), 1);
      if (slot.state && (await this.callDelete(slot, slot.state))) slot.state = undefined;
    });
  }

  /**
   * After the sequence: `refresh` then `up` of every resource must converge. What may remain is a
   * conflict with a znode the foreign writer owns (its path taken, or children under ours).
   */
  async converge(): Promise<void> {
    this.log.push("-- converge: refresh, then up");
    for (const name of SLOTS) await this.refresh(name);
    for (const name of SLOTS) {
      const slot = this.slots[name];
      for (const old of [...slot.pendingDeletes]) {
        const done = await this.callDelete(slot, old, true);
        if (done) slot.pendingDeletes.splice(slot.pendingDeletes.indexOf(old), 1);
      }
      if (slot.declared) {
        const failed = await this.apply(slot, slot.declared);
        if (failed) {
          this.mustBeForeignConflict(slot, failed);
          continue;
        }
        await this.mustBeStable(slot);
        this.figures.convergedResources++;
      } else if (slot.state && !(await this.callDelete(slot, slot.state, true))) continue;
      else slot.state = undefined;
    }
    this.mustHaveNoOrphans();
  }

  /**
   * `pulumi destroy` of every stack after converging: each resource goes, or fails only on a
   * znode the foreign writer owns (children under a refusing chroot); nothing of ours is left.
   */
  async teardown(): Promise<void> {
    this.log.push("-- teardown: destroy every stack");
    for (const name of SLOTS) {
      const slot = this.slots[name];
      slot.declared = undefined;
      for (const res of [...slot.pendingDeletes, ...(slot.state ? [slot.state] : [])]) {
        if (!(await this.callDelete(slot, res, true))) continue;
        if (res === slot.state) slot.state = undefined;
        else slot.pendingDeletes.splice(slot.pendingDeletes.indexOf(res), 1);
      }
    }
    this.mustHaveNoOrphans();
  }

  /** Every znode a resource created is still in its state (or deleted): no duplicates, nothing leaked. */
  private mustHaveNoOrphans(): void {
    const owned = new Set<string>();
    for (const slot of Object.values(this.slots))
      for (const res of [...(slot.state ? [slot.state] : []), ...slot.pendingDeletes])
        for (const [p, rec] of records(slot.kind, res.outs)) owned.add(key(p, rec.czxid));
    for (const [p, z] of this.tree) {
      const made = this.creator.get(key(p, z.czxid));
      if (!made || made === "harness" || made === "foreign" || this.parents.has(key(p, z.czxid))) continue;
      if (!owned.has(key(p, z.czxid)))
        this.fail(`orphan: ${made} created ${p}, which no resource's state records after converging`);
    }
  }

  /** After a converged up: the plan is empty and a refresh records the same znodes. */
  private async mustBeStable(slot: Slot): Promise<void> {
    const st = slot.state;
    if (!st || !slot.declared) return;
    const methods = METHODS[slot.kind];
    const checked = await methods.check(st.outs, slot.declared);
    if (checked.failures && checked.failures.length > 0) return;
    const d = await methods.diff(st.id, st.outs, checked.inputs);
    if (d.changes)
      this.fail(
        `not converged: ${slot.name} still plans changes (${(d.replaces ?? []).join(", ")}) right after a successful up`,
      );
    const before = records(slot.kind, st.outs);
    const again = await this.callRead(slot, st);
    const after = again ? records(slot.kind, again.outs) : new Map<string, Recorded>();
    for (const [p, r] of before) {
      const now = after.get(p);
      if (!now || now.czxid !== r.czxid || now.version !== r.version || now.aversion !== r.aversion)
        this.fail(`not converged: a refresh right after ${slot.name}'s up records ${p} differently`);
    }
  }

  /** A conflict left after converging must name a znode someone else wrote. */
  private mustBeForeignConflict(slot: Slot, err: Error): void {
    if (err.message === "check failed") return;
    const exists = /znode (\S+) already exists/.exec(err.message);
    if (exists) {
      const p = exists[1];
      const w = this.writer.get(p)?.data;
      if (w !== undefined && w !== slot.name) return;
      this.fail(
        `stuck: after refresh, ${slot.name}'s up fails "${err.message}", but ${p} was written by ${w ?? "nobody"}`,
      );
    }
    const children = /znode (\S+) has children this stack does not manage/.exec(err.message);
    if (children) {
      const p = children[1];
      const foreignChild = [...this.tree.keys()].some(
        (c) => c.startsWith(`${p}/`) && this.writer.get(c)?.data !== slot.name,
      );
      if (foreignChild) return;
      this.fail(
        `stuck: after refresh, ${slot.name} fails "${err.message}", but every child of ${p} is its own`,
      );
    }
    this.fail(`stuck: after refresh, ${slot.name}'s up still fails: ${err.message}`);
  }

  // -------------------------------------------------------------------------------------------
  // Provider calls, each checked against the tree

  private async callCreate(slot: Slot, inputs: Props): Promise<Error | undefined> {
    const path = this.pathOf(slot.name);
    const adoptPaths = new Set<string>();
    if (inputs.adopt === true) {
      if (slot.kind === "chroot") {
        adoptPaths.add(path);
        for (const rel of Object.keys((inputs.children as Record<string, string>) ?? {}))
          adoptPaths.add(`${path}/${rel}`);
      } else if (slot.kind === "node") adoptPaths.add(path);
      else adoptPaths.add(registrationTarget(inputs));
    }
    const ctx: CallContext = { slot: slot.name, method: "create", recordedBefore: new Set(), adoptPaths };
    const r = await this.call(ctx, () => METHODS[slot.kind].create(inputs));
    if (!r.ok) {
      if (r.error.properties && typeof r.error.properties === "object") {
        // A create in doubt: the engine keeps what the error carries, and updates it next time.
        const id = typeof r.error.id === "string" ? r.error.id : "";
        slot.state = { id, outs: r.error.properties as Props };
        await this.checkRecords(slot, slot.state.outs, "create (in doubt)");
      }
      return r.error;
    }
    slot.state = { id: r.value.id, outs: r.value.outs ?? {} };
    // What a create adopted is the resource's from now on, whoever wrote it before.
    for (const [p, rec] of records(slot.kind, slot.state.outs)) {
      if (!adoptPaths.has(p)) continue;
      this.grant(slot.name, p, rec.czxid);
      if (this.tree.get(p)?.czxid === rec.czxid) this.writer.set(p, { data: slot.name, acl: slot.name });
    }
    await this.checkRecords(slot, slot.state.outs, "create");
    this.checkReflects(slot, inputs, slot.state.outs);
    return undefined;
  }

  private async callUpdate(slot: Slot, inputs: Props): Promise<Error | undefined> {
    const st = slot.state as Resource;
    const ctx: CallContext = {
      slot: slot.name,
      method: "update",
      recordedBefore: new Set(records(slot.kind, st.outs).keys()),
    };
    const r = await this.call(ctx, () => METHODS[slot.kind].update(st.id, st.outs, inputs));
    if (!r.ok) return r.error;
    slot.state = { id: st.id, outs: r.value.outs ?? {} };
    await this.checkRecords(slot, slot.state.outs, "update");
    this.checkReflects(slot, inputs, slot.state.outs);
    return undefined;
  }

  /** Deletes a resource; true when it is gone. With `converging`, only a foreign conflict may stop it. */
  private async callDelete(slot: Slot, res: Resource, converging = false): Promise<boolean> {
    const recursive = slot.kind === "chroot" && res.outs.deletePolicy === "recursive";
    const ctx: CallContext = {
      slot: slot.name,
      method: "delete",
      recordedBefore: new Set(records(slot.kind, res.outs).keys()),
      ...(recursive ? { recursiveRoot: String(res.outs.path) } : {}),
    };
    const r = await this.call(ctx, () => METHODS[slot.kind].delete(res.id, res.outs));
    if (!r.ok && converging) this.mustBeForeignConflict(slot, r.error);
    if (r.ok && slot.kind === "chroot" && res.outs.deletePolicy === "retain") return true;
    if (r.ok)
      for (const [p, rec] of records(slot.kind, res.outs))
        if (this.tree.get(p)?.czxid === rec.czxid) this.fail(`${slot.name}.delete succeeded but left ${p}`);
    return r.ok;
  }

  /** Refreshes a resource; undefined when it is gone. */
  private async callRead(slot: Slot, res: Resource): Promise<Resource | undefined> {
    const recordedBefore = new Set(records(slot.kind, res.outs).keys());
    const ctx: CallContext = { slot: slot.name, method: "read", recordedBefore };
    const r = await this.call(ctx, () => METHODS[slot.kind].read(res.id, res.outs));
    if (!r.ok) this.fail(`${slot.name}: refresh failed: ${r.error.message}`);
    if (!r.value.id) return undefined;
    const outs = r.value.props ?? {};
    // A refresh accepts into state what others did to the znodes the resource already recorded.
    for (const [p, rec] of records(slot.kind, outs)) {
      if (!recordedBefore.has(p)) continue;
      this.grant(slot.name, p, rec.czxid);
      if (this.tree.get(p)?.czxid === rec.czxid) this.writer.set(p, { data: slot.name, acl: slot.name });
    }
    await this.checkRecords(slot, outs, "read");
    return { id: r.value.id, outs };
  }

  private describe(c: Change): string {
    return describeChange(c, this.root);
  }

  private grant(slot: SlotName, path: string, czxid: string): void {
    this.granted.add(`${slot} ${key(path, czxid)}`);
  }

  /** Runs one provider call between two snapshots and checks what it did to the tree. */
  private async call<T>(ctx: CallContext, run: () => Promise<T>): Promise<Outcome<T>> {
    this.figures.steps++;
    this.figures.providerCalls++;
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await run() };
    } catch (err) {
      outcome = { ok: false, error: err as Error & Record<string, unknown> };
    }
    const after = await statTree(this.reader, this.root);
    const changed = changes(this.tree, after);
    this.log.push(
      `  ${ctx.slot}.${ctx.method}: ${outcome.ok ? "ok" : `failed: ${outcome.error.message.split(". ")[0]}`}` +
        (changed.length > 0 ? ` [${changed.map((c) => this.describe(c)).join(", ")}]` : ""),
    );
    if (!outcome.ok) {
      this.figures.providerFailures++;
      const { error } = outcome;
      if (!CONFLICTS.some((re) => re.test(error.message)))
        this.fail(`${ctx.slot}.${ctx.method} failed with an error that is no conflict: ${error.message}`);
      const inDoubt = error.properties !== undefined;
      if (!inDoubt && changed.length > 0)
        this.fail(
          `${ctx.slot}.${ctx.method} failed ("${error.message}") but changed the tree: ${changed.map((c) => this.describe(c)).join(", ")}`,
        );
    }
    for (const c of changed) this.attribute(c, ctx);
    this.tree = after;
    return outcome;
  }

  /**
   * Checks one change of the tree against who may make it, then records its author. Data and ACL
   * are separate writes: setting the data of a znode whose ACL someone else changed keeps their
   * change, deleting it does not.
   */
  private attribute(c: Change, by: CallContext | "foreign"): void {
    const actor: Actor = by === "foreign" ? "foreign" : by.slot;
    if (by !== "foreign" && by.method === "read")
      this.fail(`${by.slot}.read wrote to the tree: ${this.describe(c)}`);
    const last = this.writer.get(c.path) ?? { data: "nobody", acl: "nobody" };
    const removed = c.before !== undefined && (c.after === undefined || c.after.czxid !== c.before.czxid);
    if (by !== "foreign" && c.before && c.after) {
      const dataWritten = !removed && c.after.mzxid !== c.before.mzxid;
      const aclWritten = !removed && c.after.aversion !== c.before.aversion;
      const adopting = by.adoptPaths?.has(c.path) === true;
      if (dataWritten && last.data !== actor && !adopting)
        this.fail(
          `${by.slot}.${by.method} wrote the data of ${c.path}, last written by ${last.data}: ${this.describe(c)}`,
        );
      if (aclWritten && last.acl !== actor && !adopting)
        this.fail(
          `${by.slot}.${by.method} set the ACL of ${c.path}, last set by ${last.acl}: ${this.describe(c)}`,
        );
    }
    if (by !== "foreign" && c.before && removed) {
      const own = last.data === actor && last.acl === actor;
      // The marker is the ownership contract (docs/DESIGN.md §2.3): a znode holding it is one of the
      // package's parents, whoever created it; a foreign re-create that copies it hands it back.
      const ourEmptyParent = c.before.data.equals(PARENT_MARKER);
      const recursive = by.recursiveRoot !== undefined && under(c.path, by.recursiveRoot);
      if (!own && !ourEmptyParent && !recursive)
        this.fail(
          `${by.slot}.${by.method} deleted ${c.path}, whose data was last written by ${last.data} and ACL set by ${last.acl}: ${this.describe(c)}`,
        );
    }
    if (by !== "foreign" && c.after && (!c.before || removed)) {
      if (this.foreignDeleted.has(c.path) && by.recordedBefore.has(c.path))
        this.fail(
          `${by.slot}.${by.method} re-created ${c.path}, which the foreign writer had deleted while the stack's state still recorded it`,
        );
    }
    if (c.after) {
      if (!c.before || removed) {
        this.writer.set(c.path, { data: actor, acl: actor });
        this.creator.set(key(c.path, c.after.czxid), actor);
        if (actor !== "foreign" && c.after.data.equals(PARENT_MARKER))
          this.parents.add(key(c.path, c.after.czxid));
        this.foreignDeleted.delete(c.path);
      } else {
        this.writer.set(c.path, {
          data: c.after.mzxid !== c.before.mzxid ? actor : last.data,
          acl: c.after.aversion !== c.before.aversion ? actor : last.acl,
        });
      }
    } else {
      this.writer.delete(c.path);
      if (actor === "foreign") this.foreignDeleted.add(c.path);
    }
  }

  /**
   * Every znode the state records is in the tree as recorded (version, ACL version, creation zxid,
   * data), and was created or adopted by this resource, or accepted by its refresh.
   */
  private async checkRecords(slot: Slot, outs: Props, what: string): Promise<void> {
    if (slot.kind === "chroot" && outs.childRecords && outs.children) {
      const declared = Object.keys(outs.children).sort();
      const recorded = Object.keys(outs.childRecords).sort();
      if (!isDeepStrictEqual(declared, recorded))
        this.fail(
          `${slot.name}.${what}: children [${declared.map(show).join(",")}] but child records [${recorded.map(show).join(",")}]`,
        );
    }
    for (const [p, rec] of records(slot.kind, outs)) {
      const z = this.tree.get(p);
      if (!z) {
        // Tells a reader that lags from a write that never happened.
        const later = await statTree(this.reader, this.root);
        this.fail(
          `${slot.name}.${what} records ${p}, which is not in the tree (${later.has(p) ? "a second snapshot, taken right after, has it: the first one read a member behind" : "a second snapshot does not have it either"})`,
        );
      }
      if (z.czxid !== rec.czxid || z.version !== rec.version || z.aversion !== rec.aversion)
        this.fail(
          `${slot.name}.${what} records ${p} as version ${rec.version}/acl ${rec.aversion}/czxid ${rec.czxid}, ` +
            `the tree has ${z.version}/${z.aversion}/${z.czxid}`,
        );
      if (rec.mzxid && z.mzxid !== rec.mzxid)
        this.fail(`${slot.name}.${what} records ${p} with mzxid ${rec.mzxid}, the tree has ${z.mzxid}`);
      if (rec.data && !rec.data.equals(z.data))
        this.fail(
          `${slot.name}.${what} records ${p} holding '${show(rec.data.toString())}', the tree has '${show(z.data.toString())}'`,
        );
      const made = this.creator.get(key(p, rec.czxid));
      if (made !== slot.name && !this.granted.has(`${slot.name} ${key(p, rec.czxid)}`))
        this.fail(
          `${slot.name}.${what} owns ${p} (czxid ${rec.czxid}), created by ${made ?? "unknown"}: it neither created nor adopted it`,
        );
    }
  }

  /** After a successful create or update, the state holds what the program asked for. */
  private checkReflects(slot: Slot, inputs: Props, outs: Props): void {
    const fields =
      slot.kind === "node"
        ? ["data", "dataBase64"]
        : slot.kind === "chroot"
          ? ["data", "children", "deletePolicy"]
          : ["address", "port", "format", "service"];
    for (const f of fields) {
      const want = entriesOf(inputs[f]);
      const got = entriesOf(outs[f]);
      if (!isDeepStrictEqual(want, got))
        this.fail(
          `${slot.name}: state has ${f} = ${JSON.stringify(got)}, the program asked for ${JSON.stringify(want)}`,
        );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Faults

  /** Runs a command with a fault armed on the first request of each kind of its group. */
  private async withFault(fault: FaultSpec | undefined, act: () => Promise<void>): Promise<void> {
    if (!fault) return act();
    const before = this.proxy.events.length;
    for (const request of FAULT_GROUPS[fault.on]) this.proxy.arm(request, fault.fault);
    this.figures.faultsArmed++;
    try {
      await act();
    } finally {
      this.proxy.disarm();
      const fired = this.proxy.events.slice(before);
      this.figures.faultsFired += fired.length;
      this.log.push(
        `  ${fault.fault.kind}: ${fired.length > 0 ? `fired on ${fired.map((e) => e.request).join(", ")}` : "not fired"}`,
      );
    }
  }
}

/** Requests a fault goes for: the first write of each kind, or the first read of each kind. */
export const FAULT_GROUPS: Record<"write" | "read", readonly RequestKind[]> = {
  write: ["create", "setData", "delete"],
  read: ["getData", "exists"],
};

/** A fault for the first request of each kind of a group during one command. */
export interface FaultSpec {
  readonly on: "write" | "read";
  readonly fault: Fault;
}

/** Where a registration's znode is, for curator and json (ServerSet members get a sequence number). */
function registrationTarget(inputs: Props): string {
  return `${String(inputs.basePath)}/${String(inputs.service)}/${String(inputs.instanceId)}`;
}

/** Object entries sorted by key (own keys only), for comparing maps whatever their key order. */
function entriesOf(v: unknown): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.keys(v)
    .sort()
    .map((k) => [k, (v as Record<string, unknown>)[k]]);
}

/** A field the provider records as text (data, base64 data, zxids); absent, or a violation if not text. */
function textOf(outs: Props, key: string): string | undefined {
  const value = outs[key];
  if (value === undefined || typeof value === "string") return value;
  throw new Violation(`state records ${key} as ${JSON.stringify(value)}, not as text`);
}

/** What a resource's state records, by path (in-doubt placeholders left out). */
export function records(kind: Kind, outs: Props): Map<string, Recorded> {
  const out = new Map<string, Recorded>();
  const czxid = textOf(outs, "czxid");
  if (czxid === undefined || czxid === "0" || outs.inDoubt) return out;
  const path = String(outs.path);
  const base64 = kind === "node" ? textOf(outs, "dataBase64") : undefined;
  const data =
    base64 !== undefined ? Buffer.from(base64, "base64") : Buffer.from(textOf(outs, "data") ?? "", "utf8");
  const mzxid = textOf(outs, "mzxid");
  out.set(path, {
    version: Number(outs.version),
    aversion: Number(outs.aversion),
    czxid,
    ...(mzxid ? { mzxid } : {}),
    data,
  });
  if (kind === "chroot") {
    const children = (outs.children ?? {}) as Record<string, string>;
    const recs = (outs.childRecords ?? {}) as Record<string, Recorded>;
    for (const rel of Object.keys(recs)) {
      const rec = recs[rel];
      out.set(`${path}/${rel}`, {
        version: rec.version,
        aversion: rec.aversion,
        czxid: rec.czxid,
        ...(Object.prototype.hasOwnProperty.call(children, rel)
          ? { data: Buffer.from(String(children[rel])) }
          : {}),
      });
    }
  }
  return out;
}

/** One znode that appeared, changed or went between two snapshots. */
interface Change {
  readonly path: string;
  readonly before?: ZnodeSnapshot;
  readonly after?: ZnodeSnapshot;
}

/** Znodes created, written (data or ACL) or deleted between two snapshots; child-list changes alone do not count. */
function changes(before: Map<string, ZnodeSnapshot>, after: Map<string, ZnodeSnapshot>): Change[] {
  const out: Change[] = [];
  for (const [path, b] of before) {
    const a = after.get(path);
    if (!a || a.czxid !== b.czxid || a.mzxid !== b.mzxid || a.aversion !== b.aversion)
      out.push({ path, before: b, ...(a ? { after: a } : {}) });
  }
  for (const [path, a] of after) if (!before.has(path)) out.push({ path, after: a });
  return out;
}

/** A change in a line: `+` created, `-` deleted, `±` deleted and created again, `~` written. */
function describeChange(c: Change, root: string): string {
  const p = c.path.slice(root.length) || "/";
  if (!c.after) return `-${show(p)}`;
  if (!c.before) return `+${show(p)}`;
  if (c.before.czxid !== c.after.czxid) return `±${show(p)}`;
  return `~${show(p)}${c.before.aversion !== c.after.aversion ? "(acl)" : ""}`;
}

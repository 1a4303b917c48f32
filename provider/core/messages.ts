/**
 * Every message a user sees when a write meets someone else's change. One place, so tests can
 * pin them and the README can quote them.
 */

const REFRESH = "Run 'pulumi refresh' to accept the change into the stack's state, then 'pulumi up' again";

/** The znode's version is not the one recorded in state. */
export function versionConflict(path: string, what: "data" | "acl", expected: number, found: number): string {
  const kind = what === "acl" ? "ACL version" : "version";
  return (
    `znode ${path} was changed outside this stack: expected ${kind} ${expected}, found ${found}. ` +
    `Nothing was written; the other writer's change is kept. ${REFRESH}.`
  );
}

/** The znode was deleted and created again by someone else. */
export function recreatedConflict(path: string, expectedCzxid: string, foundCzxid: string): string {
  return (
    `znode ${path} was deleted and re-created outside this stack: expected creation zxid ${expectedCzxid}, ` +
    `found ${foundCzxid}. Nothing was written. ${REFRESH}.`
  );
}

/** The znode recorded in state is gone. */
export function deletedConflict(path: string): string {
  return (
    `znode ${path} was deleted outside this stack. Nothing was written. ` +
    `Run 'pulumi refresh' to drop it from the stack's state, then 'pulumi up' to create it again.`
  );
}

/** Create met an existing znode. */
export function alreadyExists(path: string): string {
  return `znode ${path} already exists. Set adopt: true to take it over, or choose another path.`;
}

/** Create found no parent. */
export function missingParent(path: string, parent: string): string {
  return `cannot create znode ${path}: its parent ${parent} does not exist. Set createParents: true, or create the parent first.`;
}

/** Delete met children nobody in this stack manages. */
export function foreignChildren(path: string, children: readonly string[], remedy: string): string {
  const shown =
    children.slice(0, 20).join(", ") + (children.length > 20 ? `, and ${children.length - 20} more` : "");
  return `znode ${path} has children this stack does not manage: ${shown}. ${remedy}`;
}

/** An error whose message says everything; printed without a stack trace. */
export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderError";
    // The engine prints `${err}: ${err.stack}`; the stack adds nothing for users.
    this.stack = "";
  }
}

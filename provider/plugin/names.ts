/**
 * The provider plugin's names: its Pulumi package name (not the bridged Terraform provider's
 * `zookeeper`), and the tokens of its resources and functions.
 */

/** The Pulumi package name: `pulumi-resource-zkdiscovery`, config `zkdiscovery:*`, tokens `zkdiscovery:index:*`. */
export const PACKAGE = "zkdiscovery";

/** The token of a resource or function of this package. */
export function token(name: string): string {
  return `${PACKAGE}:index:${name}`;
}

/** The type token in a resource URN (`urn:pulumi:stack::project::[parent$]type::name`). */
export function typeOfUrn(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

/**
 * Messages of the shared runtime name the TypeScript package's stack config (`zookeeper:*`); the
 * plugin's users set the same keys under this package's name.
 */
export function inPluginTerms(text: string): string {
  return text.replace(
    /\bzookeeper:(connectString|digest|sessionTimeoutMs|tls[A-Za-z]*|profiles)\b/g,
    `${PACKAGE}:$1`,
  );
}

// @ts-check
/**
 * Generates the provider plugin's Pulumi package schema from what the TypeScript package already
 * says, so nothing is written twice (docs/DESIGN.md §8):
 * - which inputs each resource takes, which replace it, and their defaults: core/definitions.ts;
 * - the types of inputs and function arguments: the zod schemas the runtime validates with;
 * - every description: the TSDoc of the public Args interfaces, resource classes and result types;
 * - the outputs beyond the inputs: the resource classes' declared outputs, typed by TypeScript.
 * Usage: node scripts/plugin-schema.js OUT.json (after `npm run build`, which it reads from dist/).
 */
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");
const { z } = require("zod");

const root = path.join(__dirname, "..");
const dist = (module) => require(path.join(root, "dist", module));
const { ZK_NODE, ZK_CHROOT, ZK_SERVICE_REGISTRATION, providerKeys } = dist("core/definitions");
const schemas = dist("core/schemas");
const { ensembleLookupInputs } = dist("core/ensembleSources");
const { serviceQuery } = dist("lookups/query");
const { CONFIG_KEYS, SECRET_CONFIG_KEYS } = dist("plugin/config");
const { PACKAGE, token, inPluginTerms } = dist("plugin/names");
const { version } = require(path.join(root, "package.json"));

/** Numbers that are whole: TypeScript says `number` for these outputs, the wire and SDKs want integers. */
const INTEGER_OUTPUTS = new Set(["version", "aversion", "registrationTimeUTC", "port", "sslPort", "shard"]);

// ---- TypeScript: descriptions and output types -------------------------------------------------

const program = ts.createProgram(
  ["provider/index.ts", "provider/lookups/api.ts"].map((f) => path.join(root, f)),
  { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true },
);
const checker = program.getTypeChecker();

/** A declaration exported (or declared) by name from a source file under provider/. */
function declared(file, name) {
  const source = program.getSourceFile(path.join(root, "provider", file));
  if (!source) throw new Error(`plugin-schema: no source provider/${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const symbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
  if (!symbol) throw new Error(`plugin-schema: provider/${file} exports no ${name}`);
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** A symbol's TSDoc: its text, then its `@default` (as "Default: ..."). */
function docOf(symbol) {
  if (!symbol) return undefined;
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const fallback = symbol.getJsDocTags(checker).find((t) => t.name === "default");
  const fallbackText = fallback ? ts.displayPartsToString(fallback.text).trim() : "";
  const parts = [text, fallbackText ? `Default: ${fallbackText}.` : ""].filter(Boolean);
  // The TSDoc names the TypeScript package's stack config; the plugin's is under its own name.
  return parts.length > 0 ? inPluginTerms(parts.join("\n\n")) : undefined;
}

/** The type inside `pulumi.Input<T>` (and without `undefined`): T. */
function unwrap(type) {
  if (!type.isUnion()) return type;
  const kept = type.types.filter((t) => {
    const name = t.getSymbol()?.name;
    return name !== "Promise" && name !== "OutputInstance" && !(t.flags & ts.TypeFlags.Undefined);
  });
  if (kept.length === 1) return kept[0];
  // true | false is boolean; a union of string literals is a string.
  return kept.every((t) => t.flags & ts.TypeFlags.BooleanLiteral) ? checker.getBooleanType() : type;
}

/** The properties of a TypeScript type by name. */
function propertiesOf(type) {
  return new Map(checker.getPropertiesOfType(type).map((p) => [p.name, p]));
}

function typeOfProperty(symbol) {
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  return unwrap(checker.getTypeOfSymbolAtLocation(symbol, decl));
}

// ---- the schema's types section -------------------------------------------------------------------

/** @type {Record<string, any>} */
const types = {};

function capitalized(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A named object type, registered once; its name is the TypeScript type's, else the property's. */
function objectType(name, properties, required, description) {
  const key = token(name);
  const spec = {
    type: "object",
    ...(description ? { description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
  const existing = types[key];
  if (existing && JSON.stringify(existing) !== JSON.stringify(spec)) {
    throw new Error(`plugin-schema: two different types are named ${name}`);
  }
  types[key] = spec;
  return { $ref: `#/types/${key}` };
}

function typeName(tsType, hint) {
  const symbol = tsType?.aliasSymbol ?? tsType?.getSymbol();
  const name = symbol?.name;
  return name && name !== "__type" && name !== "__object" ? name : capitalized(hint);
}

/**
 * A Pulumi schema type from a zod-made JSON schema, with the TypeScript type at the same place
 * for descriptions and names.
 */
function fromJsonSchema(js, tsType, hint) {
  if (js.enum) return { type: "string" };
  if (js.type === "string" || js.type === "boolean" || js.type === "integer" || js.type === "number") {
    return { type: js.type };
  }
  if (js.type === "array") {
    const element =
      tsType && checker.isArrayType(tsType) ? unwrap(checker.getTypeArguments(tsType)[0]) : undefined;
    return { type: "array", items: fromJsonSchema(js.items, element, hint) };
  }
  if (js.type === "object" && js.properties) {
    const tsProps = tsType ? propertiesOf(tsType) : new Map();
    const properties = {};
    for (const [name, sub] of Object.entries(js.properties)) {
      const symbol = tsProps.get(name);
      properties[name] = {
        ...fromJsonSchema(sub, symbol && typeOfProperty(symbol), name),
        ...describe(docOf(symbol)),
      };
    }
    return objectType(typeName(tsType, hint), properties, js.required ?? [], docOf(tsType?.getSymbol()));
  }
  if (js.type === "object" && js.additionalProperties) {
    const value = tsType ? checker.getIndexInfoOfType(tsType, ts.IndexKind.String)?.type : undefined;
    return {
      type: "object",
      additionalProperties: fromJsonSchema(js.additionalProperties, value && unwrap(value), hint),
    };
  }
  return { $ref: "pulumi.json#/Any" };
}

/** A Pulumi schema type from a TypeScript type (outputs and results, which zod does not describe). */
function fromTypeScript(tsType, hint) {
  const type = unwrap(tsType);
  if (type.flags & ts.TypeFlags.StringLike) return { type: "string" };
  if (type.flags & ts.TypeFlags.NumberLike) return { type: INTEGER_OUTPUTS.has(hint) ? "integer" : "number" };
  if (type.flags & ts.TypeFlags.BooleanLike) return { type: "boolean" };
  if (type.isUnion() && type.types.every((t) => t.flags & ts.TypeFlags.StringLiteral))
    return { type: "string" };
  if (checker.isArrayType(type)) {
    return { type: "array", items: fromTypeScript(checker.getTypeArguments(type)[0], hint) };
  }
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index) return { type: "object", additionalProperties: fromTypeScript(index.type, hint) };
  if (type.flags & ts.TypeFlags.Object) {
    const properties = {};
    const required = [];
    for (const symbol of checker.getPropertiesOfType(type)) {
      properties[symbol.name] = {
        ...fromTypeScript(typeOfProperty(symbol), symbol.name),
        ...describe(docOf(symbol)),
      };
      if (!(symbol.flags & ts.SymbolFlags.Optional)) required.push(symbol.name);
    }
    return objectType(typeName(type, hint), properties, required, docOf(type.getSymbol()));
  }
  return { $ref: "pulumi.json#/Any" };
}

function describe(description) {
  return description ? { description } : {};
}

const jsonSchemaOf = (zodSchema) => z.toJSONSchema(zodSchema, { io: "input", unrepresentable: "any" });

// ---- resources ------------------------------------------------------------------------------------

/**
 * One resource: inputs from its definition (names as the provider holds them), typed by its zod
 * schema and described by its Args interface; outputs are the inputs and the class's declared outputs.
 */
function resource(name, { zodSchema, definition, argsFile, argsName, inputs }) {
  const js = jsonSchemaOf(zodSchema);
  const args = propertiesOf(checker.getDeclaredTypeOfSymbol(declared(argsFile, argsName)));
  const classSymbol = declared(`resources/${name.charAt(0).toLowerCase()}${name.slice(1)}.ts`, name);
  const inputProperties = {};
  for (const key of inputs) {
    const userKey = key === "instanceId" ? "id" : key;
    const symbol = args.get(userKey);
    if (!js.properties[userKey])
      throw new Error(`plugin-schema: ${name} input ${userKey} is not in its zod schema`);
    const fallback = definition?.defaults[userKey];
    inputProperties[key] = {
      ...fromJsonSchema(js.properties[userKey], symbol && typeOfProperty(symbol), userKey),
      ...describe(docOf(symbol)),
      ...(fallback !== undefined && typeof fallback !== "object" ? { default: fallback } : {}),
      ...(definition?.replaceOn.includes(userKey) ? { replaceOnChanges: true } : {}),
    };
  }
  const requiredInputs = (js.required ?? []).map((k) => (k === "id" ? "instanceId" : k));
  const properties = Object.fromEntries(
    Object.entries(inputProperties).map(([k, v]) => {
      const { default: _d, replaceOnChanges: _r, ...rest } = v;
      return [k, rest];
    }),
  );
  // The class's declared outputs: always set unless their type admits undefined.
  const required = new Set(requiredInputs);
  const instance = checker.getDeclaredTypeOfSymbol(classSymbol);
  for (const symbol of checker.getPropertiesOfType(instance)) {
    const decl = symbol.valueDeclaration;
    if (
      !decl ||
      !decl.getSourceFile().fileName.includes(`${path.sep}provider${path.sep}resources${path.sep}`)
    )
      continue;
    if (!ts.isPropertyDeclaration(decl) || !decl.type || !ts.isTypeReferenceNode(decl.type)) continue;
    const inner = decl.type.typeArguments?.[0];
    if (!inner) continue;
    const type = checker.getTypeFromTypeNode(inner);
    properties[symbol.name] = { ...fromTypeScript(type, symbol.name), ...describe(docOf(symbol)) };
    const optional = type.isUnion() && type.types.some((t) => t.flags & ts.TypeFlags.Undefined);
    if (!optional) required.add(symbol.name);
  }
  return {
    description: docOf(classSymbol),
    inputProperties,
    requiredInputs,
    properties,
    required: Object.keys(properties).filter((k) => required.has(k)),
  };
}

const resources = {
  [token("ZkNode")]: resource("ZkNode", {
    zodSchema: schemas.zkNodeInputs,
    definition: ZK_NODE,
    argsFile: "resources/zkNode.ts",
    argsName: "ZkNodeArgs",
    inputs: providerKeys(ZK_NODE.inputs),
  }),
  [token("ZkChroot")]: resource("ZkChroot", {
    zodSchema: schemas.zkChrootInputs,
    definition: ZK_CHROOT,
    argsFile: "resources/zkChroot.ts",
    argsName: "ZkChrootArgs",
    inputs: providerKeys(ZK_CHROOT.inputs),
  }),
  [token("ZkServiceRegistration")]: resource("ZkServiceRegistration", {
    zodSchema: schemas.zkServiceRegistrationInputs,
    definition: ZK_SERVICE_REGISTRATION,
    argsFile: "resources/zkServiceRegistration.ts",
    argsName: "ZkServiceRegistrationArgs",
    inputs: providerKeys(ZK_SERVICE_REGISTRATION.inputs),
  }),
  [token("ZkEnsembleLookup")]: resource("ZkEnsembleLookup", {
    zodSchema: ensembleLookupInputs,
    definition: undefined,
    argsFile: "lookups/api.ts",
    argsName: "GetEnsembleArgs",
    inputs: Object.keys(jsonSchemaOf(ensembleLookupInputs).properties).filter((k) => k !== "connectString"),
  }),
};

// ---- functions ------------------------------------------------------------------------------------

/** A function: arguments typed by its zod schema, described by its Args interface; its result by TypeScript. */
function fn(description, { zodSchema, argsName, result }) {
  const js = jsonSchemaOf(zodSchema);
  const args = propertiesOf(checker.getDeclaredTypeOfSymbol(declared("lookups/api.ts", argsName)));
  const properties = {};
  for (const [key, sub] of Object.entries(js.properties)) {
    if (key === "connectString" && argsName === "GetEnsembleArgs") continue; // internal: not a user argument
    const symbol = args.get(key);
    properties[key] = {
      ...fromJsonSchema(sub, symbol && typeOfProperty(symbol), key),
      ...describe(docOf(symbol)),
    };
  }
  return {
    description,
    inputs: { properties, ...(js.required ? { required: js.required } : {}) },
    outputs: result,
  };
}

const serviceInstance = fromTypeScript(
  checker.getDeclaredTypeOfSymbol(declared("core/formats.ts", "ServiceInstance")),
  "instance",
);
const ensembleInfo =
  types[
    fromTypeScript(
      checker.getDeclaredTypeOfSymbol(declared("lookups/api.ts", "EnsembleInfo")),
      "ensembleInfo",
    ).$ref.slice("#/types/".length)
  ];

const functions = {
  [token("getServiceInstances")]: fn(docOf(declared("lookups/api.ts", "getServiceInstances")), {
    zodSchema: serviceQuery,
    argsName: "GetServiceInstancesArgs",
    result: {
      properties: {
        instances: {
          type: "array",
          items: serviceInstance,
          description: "The instances found, oldest registration first.",
        },
      },
      required: ["instances"],
    },
  }),
  [token("getEnsemble")]: fn(docOf(declared("lookups/api.ts", "getEnsemble")), {
    zodSchema: ensembleLookupInputs,
    argsName: "GetEnsembleArgs",
    result: { properties: ensembleInfo.properties, required: ensembleInfo.required },
  }),
};

// ---- config -----------------------------------------------------------------------------------------

const CONFIG_TYPES = { sessionTimeoutMs: "integer", tls: "boolean" };
const profileProperties = {};
const variables = {};
for (const [key, description] of Object.entries(CONFIG_KEYS)) {
  const secret = SECRET_CONFIG_KEYS.includes(key) ? { secret: true } : {};
  if (key === "profiles") continue;
  variables[key] = { type: CONFIG_TYPES[key] ?? "string", description, ...secret };
  profileProperties[key] = { ...variables[key] };
}
variables.profiles = {
  type: "object",
  additionalProperties: objectType(
    "Profile",
    profileProperties,
    [],
    "A named connection: the provider config's keys, for resources that name it in `profile`.",
  ),
  description: CONFIG_KEYS.profiles,
};

const schema = {
  name: PACKAGE,
  displayName: "ZooKeeper service discovery (pulumi-zookeeper)",
  version,
  description:
    "Apache ZooKeeper service discovery as Pulumi resources: znodes, chroots, service registrations " +
    "(Curator, ServerSet, JSON) and ensemble lookups, every write compare-and-set on the recorded version.",
  keywords: ["pulumi", "zookeeper", "service-discovery", "category/utility", "kind/native"],
  homepage: "https://github.com/pulumi-zookeeper/pulumi-zookeeper",
  license: "Apache-2.0",
  repository: "https://github.com/pulumi-zookeeper/pulumi-zookeeper",
  publisher: "pulumi-zookeeper",
  config: { variables },
  provider: {
    description:
      "The provider: where resources without their own connectString write, and with which identity.",
    inputProperties: variables,
    properties: Object.fromEntries(
      Object.entries(variables).filter(([k]) => !SECRET_CONFIG_KEYS.includes(k)),
    ),
  },
  types,
  resources,
  functions,
  language: {
    nodejs: { packageName: `@pulumi-zookeeper/${PACKAGE}`, respectSchemaVersion: true },
    python: { packageName: `pulumi_${PACKAGE}`, respectSchemaVersion: true },
    go: {
      importBasePath: `github.com/pulumi-zookeeper/pulumi-zookeeper/sdk/go/${PACKAGE}`,
      generateResourceContainerTypes: false,
    },
    csharp: { rootNamespace: "PulumiZookeeper", packageReferences: { Pulumi: "3.*" } },
  },
};

const out = process.argv[2];
if (!out) throw new Error("usage: node scripts/plugin-schema.js OUT.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);

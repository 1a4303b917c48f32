import { type ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { token } from "../../provider/plugin/names";

const ROOT = path.resolve(__dirname, "../..");

type Props = Record<string, unknown>;

/** A failure the plugin reported for a property. */
export interface Failure {
  readonly property: string;
  readonly reason: string;
}

/**
 * The provider plugin as the engine sees it: its compiled entry point (dist/plugin/main.js, built
 * by scripts/plugin.sh in globalSetup) in its own process, spoken to over gRPC with Pulumi's
 * protocol. No engine: the calls are the ones the engine makes.
 */
export class PluginProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    /** What the plugin wrote to stderr. */
    readonly stderr: () => string,
  ) {}

  /** Starts the plugin and connects to the port it prints. */
  static async start(): Promise<PluginProcess> {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/plugin/main.js")], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^(\d+)\n/.exec(out);
        if (line) resolve(line[1]);
      });
      child.once("exit", (code) =>
        reject(new Error(`the plugin exited ${code} before its port:\n${stderr}`)),
      );
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PluginProcess(child, client, () => stderr);
  }

  /** The plugin's process id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Stops the plugin. */
  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill();
    await exited;
  }

  /** One unary call, as a promise: `send` passes the callback to the client's method. */
  private call<Res>(
    send: (done: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  ): Promise<Res> {
    return new Promise((resolve, reject) => send((err, res) => (err ? reject(err) : resolve(res))));
  }

  /** Configure with provider config (as an explicit provider's inputs). */
  configure(config: Props): Promise<rpc.ConfigureResponse> {
    const request = new rpc.ConfigureRequest().setArgs(struct(config)).setAcceptsecrets(true);
    return this.call<rpc.ConfigureResponse>((done) => this.client.configure(request, done));
  }

  /** CheckConfig's failures for provider inputs. */
  async checkConfig(news: Props): Promise<Failure[]> {
    const request = new rpc.CheckRequest().setUrn(providerUrn()).setNews(struct(news)).setOlds(struct({}));
    return failures(
      (
        await this.call<rpc.CheckResponse>((done) => this.client.checkConfig(request, done))
      ).getFailuresList(),
    );
  }

  /** DiffConfig: changed and replacing keys. */
  async diffConfig(olds: Props, news: Props): Promise<{ diffs: string[]; replaces: string[] }> {
    const request = new rpc.DiffRequest()
      .setUrn(providerUrn())
      .setOlds(struct(olds))
      .setOldInputs(struct(olds))
      .setNews(struct(news));
    const response = await this.call<rpc.DiffResponse>((done) => this.client.diffConfig(request, done));
    return { diffs: response.getDiffsList(), replaces: response.getReplacesList() };
  }

  /** The package schema. */
  async schema(): Promise<Props> {
    const response = await this.call<rpc.GetSchemaResponse>((done) =>
      this.client.getSchema(new rpc.GetSchemaRequest(), done),
    );
    return JSON.parse(response.getSchema()) as Props;
  }

  /** Check: the checked inputs and failures. */
  async check(type: string, news: Props, olds: Props = {}): Promise<{ inputs: Props; failures: Failure[] }> {
    const request = new rpc.CheckRequest()
      .setUrn(urn(type))
      .setType(token(type))
      .setOlds(struct(olds))
      .setNews(struct(news));
    const response = await this.call<rpc.CheckResponse>((done) => this.client.check(request, done));
    return { inputs: plain(response.getInputs()), failures: failures(response.getFailuresList()) };
  }

  /**
   * Check (CheckConfig for "provider") with inputs encoded here rather than by the JavaScript protobuf library, which cannot
   * encode a `__proto__` key; the engine (Go) can, for programs in other languages.
   */
  async checkEncoded(type: string, news: Props): Promise<Failure[]> {
    const [method, target] = type === "provider" ? ["CheckConfig", providerUrn()] : ["Check", urn(type)];
    const request = Buffer.concat([bytesField(1, Buffer.from(target)), bytesField(3, encodeStruct(news))]);
    const response = await this.encodedCall(method, request, (raw) =>
      rpc.CheckResponse.deserializeBinary(raw),
    );
    return failures(response.getFailuresList());
  }

  /** Invoke with arguments encoded here (see {@link checkEncoded}): the function's failures. */
  async invokeEncoded(name: string, args: Props): Promise<Failure[]> {
    const request = Buffer.concat([
      bytesField(1, Buffer.from(token(name))),
      bytesField(2, encodeStruct(args)),
    ]);
    const response = await this.encodedCall("Invoke", request, (raw) =>
      rpc.InvokeResponse.deserializeBinary(raw),
    );
    return failures(response.getFailuresList());
  }

  private encodedCall<Res>(method: string, request: Buffer, decode: (raw: Uint8Array) => Res): Promise<Res> {
    return new Promise<Res>((resolve, reject) =>
      this.client.makeUnaryRequest(
        `/pulumirpc.ResourceProvider/${method}`,
        (raw: Buffer) => raw,
        (raw: Buffer) => decode(raw),
        request,
        (err, res) => (err || !res ? reject(err ?? new Error("no response")) : resolve(res)),
      ),
    );
  }

  /** Diff: the changed properties, those that replace, and the detailed kinds. */
  async diff(
    type: string,
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ diffs: string[]; replaces: string[]; detailed: Record<string, number> }> {
    const request = new rpc.DiffRequest()
      .setUrn(urn(type))
      .setType(token(type))
      .setId(id)
      .setOlds(struct(olds))
      .setNews(struct(news));
    const response = await this.call<rpc.DiffResponse>((done) => this.client.diff(request, done));
    const detailed: Record<string, number> = {};
    response.getDetaileddiffMap().forEach((diff, key) => (detailed[key] = diff.getKind()));
    return { diffs: response.getDiffsList(), replaces: response.getReplacesList(), detailed };
  }

  /** Check, then Create (as a preview of it when `preview`): the id and the state. */
  async create(type: string, news: Props, preview = false): Promise<{ id: string; outs: Props }> {
    const { inputs, failures: found } = await this.check(type, news);
    if (found.length > 0) throw new Error(`check failed: ${JSON.stringify(found)}`);
    const request = new rpc.CreateRequest()
      .setPreview(preview)
      .setUrn(urn(type))
      .setType(token(type))
      .setProperties(struct(inputs));
    const response = await this.call<rpc.CreateResponse>((done) => this.client.create(request, done));
    return { id: response.getId(), outs: plain(response.getProperties()) };
  }

  /** Read: by state (refresh), or by id alone (import), which also returns inputs. */
  async read(
    type: string,
    id: string,
    state: Props = {},
  ): Promise<{ id: string; outs: Props; inputs: Props }> {
    const request = new rpc.ReadRequest()
      .setUrn(urn(type))
      .setType(token(type))
      .setId(id)
      .setProperties(struct(state))
      .setInputs(struct({}));
    const response = await this.call<rpc.ReadResponse>((done) => this.client.read(request, done));
    return {
      id: response.getId(),
      outs: plain(response.getProperties()),
      inputs: plain(response.getInputs()),
    };
  }

  /** Check the new inputs, then Update from a recorded state. */
  async update(type: string, id: string, olds: Props, news: Props): Promise<Props> {
    const { inputs, failures: found } = await this.check(type, news, olds);
    if (found.length > 0) throw new Error(`check failed: ${JSON.stringify(found)}`);
    const request = new rpc.UpdateRequest()
      .setUrn(urn(type))
      .setType(token(type))
      .setId(id)
      .setOlds(struct(olds))
      .setNews(struct(inputs));
    return plain(
      (await this.call<rpc.UpdateResponse>((done) => this.client.update(request, done))).getProperties(),
    );
  }

  /** Delete a recorded state. */
  async delete(type: string, id: string, state: Props): Promise<void> {
    const request = new rpc.DeleteRequest()
      .setUrn(urn(type))
      .setType(token(type))
      .setId(id)
      .setProperties(struct(state));
    await this.call<Empty>((done) => this.client.delete(request, done));
  }

  /** Invoke a function: its result, or its failures. */
  async invoke(name: string, args: Props, preview = false): Promise<{ result: Props; failures: Failure[] }> {
    const request = new rpc.InvokeRequest().setTok(token(name)).setArgs(struct(args)).setPreview(preview);
    const response = await this.call<rpc.InvokeResponse>((done) => this.client.invoke(request, done));
    return { result: plain(response.getReturn()), failures: failures(response.getFailuresList()) };
  }
}

function struct(props: Props): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, never>);
}

function plain(value: Struct | undefined): Props {
  return value?.toJavaScript() ?? {};
}

function failures(list: rpc.CheckFailure[]): Failure[] {
  return list.map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

function urn(type: string): string {
  return `urn:pulumi:test::plugin::${token(type)}::${type.toLowerCase()}`;
}

function providerUrn(): string {
  return "urn:pulumi:test::plugin::pulumi:providers:zkdiscovery::default";
}

/** A varint, as protobuf encodes lengths and tags. */
function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 0x7f; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited protobuf field. */
function bytesField(no: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);
}

/** A google.protobuf.Value of a JSON-like value. */
function encodeValue(value: unknown): Buffer {
  if (typeof value === "string") return bytesField(3, Buffer.from(value));
  if (typeof value === "number") {
    const double = Buffer.alloc(8);
    double.writeDoubleLE(value);
    return Buffer.concat([varint((2 << 3) | 1), double]);
  }
  if (typeof value === "boolean") return Buffer.concat([varint(4 << 3), varint(value ? 1 : 0)]);
  if (Array.isArray(value))
    return bytesField(6, Buffer.concat(value.map((v) => bytesField(1, encodeValue(v)))));
  if (value && typeof value === "object") return bytesField(5, encodeStruct(value as Props));
  return Buffer.concat([varint(1 << 3), varint(0)]);
}

/** A google.protobuf.Struct, keys as given (own keys, `__proto__` included). */
function encodeStruct(props: Props): Buffer {
  const entries = Object.keys(props).map((key) =>
    bytesField(1, Buffer.concat([bytesField(1, Buffer.from(key)), bytesField(2, encodeValue(props[key]))])),
  );
  return Buffer.concat(entries);
}

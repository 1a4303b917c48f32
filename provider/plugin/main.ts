/**
 * The provider plugin's entry point (`pulumi-resource-zkdiscovery` runs it with Node.js): serves
 * the resource provider on a loopback port and prints the port, which is how the engine finds it.
 * Its first argument that is not a flag is the engine's address, for logging.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { engineLog } from "./engineLog";
import { counting } from "./protoKeys";
import { providerService } from "./server";

/** Large states and schemas: the engine's own limit. */
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

async function serve(): Promise<void> {
  const engineAddress = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
  const log = engineLog(engineAddress);
  // The package root holds package.json (the version) and the build puts the schema beside this file.
  const root = path.join(__dirname, "..", "..");
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  // Read when the engine asks (GetSchema): most runs of the plugin never do.
  const schema = () => fs.readFileSync(path.join(__dirname, "schema.json"), "utf8");
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  // Checks of resource inputs and provider config, and function calls, learn of map keys the decoding dropped.
  const service = {
    ...ResourceProviderService,
    check: counting(ResourceProviderService.check),
    checkConfig: counting(ResourceProviderService.checkConfig),
    invoke: counting(ResourceProviderService.invoke),
  };
  server.addService(service, providerService({ version, schema, log }) as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  // The engine reads the port from the first line of stdout.
  process.stdout.write(`${port}\n`);
}

serve().catch((err: unknown) => {
  process.stderr.write(`pulumi-resource-zkdiscovery: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

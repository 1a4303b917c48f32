/**
 * Messages to the user through the engine's log (the plugin's stderr is not shown to users).
 */
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";

/** Logs info and warnings, about a resource when a URN is given. */
export interface EngineLog {
  /** Logs progress. */
  info(message: string, urn?: string): void;
  /** Logs a warning. */
  warn(message: string, urn?: string): void;
}

/** A log through the engine at `address`, or to stderr when the engine gave none. */
export function engineLog(address: string | undefined): EngineLog {
  if (!address) {
    return {
      info: (message) => process.stderr.write(`${message}\n`),
      warn: (message) => process.stderr.write(`warning: ${message}\n`),
    };
  }
  const client = new EngineClient(address, grpc.credentials.createInsecure());
  const send = (severity: LogSeverity, message: string, urn = "") => {
    const request = new LogRequest().setSeverity(severity).setMessage(message).setUrn(urn);
    // A message the engine cannot take goes to stderr rather than nowhere.
    client.log(request, (err) => {
      if (err) process.stderr.write(`${message}\n`);
    });
  };
  return {
    info: (message, urn) => send(LogSeverity.INFO, message, urn),
    warn: (message, urn) => send(LogSeverity.WARNING, message, urn),
  };
}

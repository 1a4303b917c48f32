import * as pulumi from "@pulumi/pulumi";

// The engine's floor for bench/deploy.ts: the same program as examples/many-registrations, with a
// dynamic provider that does nothing, so the difference between the two is what pulumi-zookeeper costs.

/** Inputs as many-registrations passes them to ZkServiceRegistration. */
interface RegistrationArgs {
  basePath: pulumi.Input<string>;
  service: pulumi.Input<string>;
  address: pulumi.Input<string>;
  port: pulumi.Input<number>;
  format: pulumi.Input<string>;
  payload: pulumi.Input<unknown>;
}

const sameInputs = (olds: Record<string, unknown>, news: Record<string, unknown>) =>
  Object.keys(news).every((key) => JSON.stringify(olds[key]) === JSON.stringify(news[key]));

/** The resolved inputs the provider reads, as `check` passes them on; `path` once created. */
interface Registered {
  basePath: string;
  service: string;
  address: string;
  port: number;
  path?: string;
}

// Nothing to wait for: each method answers with a settled promise.
const noop: pulumi.dynamic.ResourceProvider = {
  check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ inputs: news });
  },
  diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ changes: !sameInputs(olds, news) });
  },
  create(inputs: Registered) {
    const path = `${inputs.basePath}/${inputs.service}/${inputs.address}:${inputs.port}`;
    return Promise.resolve({ id: path, outs: { ...inputs, path } });
  },
  update(_id: string, olds: Registered, news: Registered) {
    return Promise.resolve({ outs: { ...news, path: olds.path } });
  },
  async delete() {},
};

class NoopRegistration extends pulumi.dynamic.Resource {
  declare public readonly path: pulumi.Output<string>;

  constructor(name: string, args: RegistrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(noop, name, { path: undefined, ...args }, opts);
  }
}

const config = new pulumi.Config();
const root = config.require("root");
const count = config.requireNumber("count");
const format = config.get("format") ?? "curator";

const registrations = Array.from(
  { length: count },
  (_, i) =>
    new NoopRegistration(`instance-${i}`, {
      basePath: `${root}/services`,
      service: `svc-${i % 10}`,
      address: `10.0.${Math.floor(i / 250)}.${i % 250}`,
      port: 8080,
      format,
      payload: { index: i },
    }),
);

export const paths = registrations.map((r) => r.path);

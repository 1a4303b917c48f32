import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** One certificate and its key, as PEM files. */
export interface CertFiles {
  /** The certificate (PEM). */
  readonly cert: string;
  /** The unencrypted PKCS#8 private key (PEM). */
  readonly key: string;
  /** Key followed by certificate, the layout ZooKeeper's PEM key store reads. */
  readonly keyStore: string;
}

/** Test certificates generated with `openssl`, all as file paths under {@link TestCerts.dir}. */
export interface TestCerts {
  /** Temp dir holding every file; remove it with {@link removeTestCerts}. */
  readonly dir: string;
  /** The CA that signed the server and client certificates (PEM). */
  readonly ca: string;
  /** A second, unrelated CA (PEM): trusting it must fail server verification. */
  readonly otherCa: string;
  /** Server certificate for `localhost` and `127.0.0.1` (SAN), signed by {@link TestCerts.ca}. */
  readonly server: CertFiles;
  /** Client certificate, subject {@link CLIENT_SUBJECT}, signed by {@link TestCerts.ca}. */
  readonly client: CertFiles;
  /** Client certificate, subject {@link OTHER_CLIENT_SUBJECT}, signed by {@link TestCerts.ca}. */
  readonly otherClient: CertFiles;
  /** Client certificate signed by {@link TestCerts.otherCa}: the server must refuse it. */
  readonly strangerClient: CertFiles;
}

/** The client certificate's subject as ZooKeeper's `x509` scheme formats it (RFC 2253). */
export const CLIENT_SUBJECT = "CN=client,O=pulumi-zookeeper";
/** The second client certificate's subject (RFC 2253). */
export const OTHER_CLIENT_SUBJECT = "CN=other-client,O=pulumi-zookeeper";

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`]);
  openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-key",
    `${name}.key`,
    "-sha256",
    "-days",
    "2",
    "-subj",
    `/O=pulumi-zookeeper/CN=${name}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-out",
    `${name}.pem`,
  ]);
}

function makeLeaf(dir: string, name: string, ca: string, subject: string, extensions: string): CertFiles {
  openssl(dir, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`]);
  openssl(dir, ["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-days",
    "2",
    "-sha256",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ]);
  const keyStore = path.join(dir, `${name}.keystore.pem`);
  fs.writeFileSync(
    keyStore,
    fs.readFileSync(path.join(dir, `${name}.key`), "utf8") +
      fs.readFileSync(path.join(dir, `${name}.pem`), "utf8"),
  );
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`), keyStore };
}

const CLIENT_EXT =
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n";

/** Generates a CA, server and client certificates and an unrelated CA into a fresh temp dir. */
export function makeTestCerts(): TestCerts {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pzk-tls-"));
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  const server = makeLeaf(
    dir,
    "server",
    "ca",
    "/O=pulumi-zookeeper/CN=localhost",
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
      "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
  );
  const client = makeLeaf(dir, "client", "ca", "/O=pulumi-zookeeper/CN=client", CLIENT_EXT);
  const otherClient = makeLeaf(dir, "other-client", "ca", "/O=pulumi-zookeeper/CN=other-client", CLIENT_EXT);
  const strangerClient = makeLeaf(dir, "stranger", "other-ca", "/O=pulumi-zookeeper/CN=stranger", CLIENT_EXT);
  return {
    dir,
    ca: path.join(dir, "ca.pem"),
    otherCa: path.join(dir, "other-ca.pem"),
    server,
    client,
    otherClient,
    strangerClient,
  };
}

/** Removes the generated files. */
export function removeTestCerts(certs: TestCerts): void {
  fs.rmSync(certs.dir, { recursive: true, force: true });
}

/**
 * ZooKeeper's server-side settings for mutual TLS with these certificates, as `extraConfig` of
 * `startEnsemble({ secureClientPort: true, ... })`: ZooKeeper turns zoo.cfg keys it does not know
 * into `zookeeper.*` system properties. The Netty factory serves the plain and the secure port alike.
 */
export function tlsServerConfig(c: TestCerts): Record<string, string> {
  return {
    serverCnxnFactory: "org.apache.zookeeper.server.NettyServerCnxnFactory",
    "ssl.keyStore.location": c.server.keyStore,
    "ssl.keyStore.type": "PEM",
    "ssl.trustStore.location": c.ca,
    "ssl.trustStore.type": "PEM",
    "ssl.clientAuth": "need",
    "authProvider.x509": "org.apache.zookeeper.server.auth.X509AuthenticationProvider",
  };
}

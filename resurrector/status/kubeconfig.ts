/**
 * A minimal kubeconfig reader: enough to talk to the guarded cluster's API with a raw HTTPS client.
 *
 * Supported: the current context (or a named one); `server`; the CA as `certificate-authority-data` or a
 * `certificate-authority` file; `insecure-skip-tls-verify`; `tls-server-name`; credentials as a bearer `token` or
 * `tokenFile`, a client certificate and key (inline `-data` or files), or an `exec` plugin
 * (client.authentication.k8s.io v1 / v1beta1, e.g. `doctl kubernetes cluster kubeconfig exec-credential`), run
 * non-interactively with a bounded timeout.
 * Not supported, and refused with a message naming them: `auth-provider` (the removed gcp/azure/oidc plugins),
 * basic auth (`username`/`password`), `proxy-url`, and exec plugins that need a terminal.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";

export type KubeCredentials =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "client-certificate"; readonly cert: Buffer; readonly key: Buffer }
  | { readonly kind: "none" };

export interface KubeConnection {
  readonly context: string;
  readonly server: URL;
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly credentials: KubeCredentials;
}

/** The kubeconfig cannot be used; the message says which field and why. */
export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

type Named<T> = { name?: string } & T;
interface ExecConfig {
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
  interactiveMode?: string;
}
interface Kubeconfig {
  "current-context"?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string } }>[];
  clusters?: Named<{
    cluster?: {
      server?: string;
      "certificate-authority"?: string;
      "certificate-authority-data"?: string;
      "insecure-skip-tls-verify"?: boolean;
      "tls-server-name"?: string;
      "proxy-url"?: string;
    };
  }>[];
  users?: Named<{
    user?: {
      token?: string;
      tokenFile?: string;
      "client-certificate"?: string;
      "client-certificate-data"?: string;
      "client-key"?: string;
      "client-key-data"?: string;
      exec?: ExecConfig;
      "auth-provider"?: { name?: string };
      username?: string;
      password?: string;
    };
  }>[];
}

function readFile(path: string, baseDir: string, field: string): Buffer {
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    return readFileSync(full);
  } catch (error) {
    throw new KubeconfigError(`${field}: cannot read ${full}: ${(error as Error).message}`);
  }
}

const base64 = (value: string) => Buffer.from(value, "base64");

/** Runs an exec credential plugin and returns its credentials, within `timeoutMs`. */
export async function execCredentials(exec: ExecConfig, baseDir: string, timeoutMs: number): Promise<KubeCredentials> {
  if (!exec.command) throw new KubeconfigError("user.exec.command is missing");
  if (exec.interactiveMode === "Always")
    throw new KubeconfigError(`user.exec: ${exec.command} needs a terminal (interactiveMode: Always): not supported`);
  const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1";
  // A command with a path is relative to the kubeconfig's directory, as kubectl does it.
  const command = exec.command.includes("/") && !isAbsolute(exec.command) ? resolve(baseDir, exec.command) : exec.command;
  const env = {
    ...process.env,
    ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])),
    KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { interactive: false } }),
  };
  const output = await new Promise<string>((resolvePromise, reject) => {
    const child = spawn(command, exec.args ?? [], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new KubeconfigError(`user.exec: ${exec.command} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new KubeconfigError(`user.exec: cannot run ${exec.command}: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(stdout);
      else reject(new KubeconfigError(`user.exec: ${exec.command} exited with ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
  let credential: { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string } };
  try {
    credential = JSON.parse(output) as typeof credential;
  } catch {
    throw new KubeconfigError(`user.exec: ${exec.command} did not print an ExecCredential (JSON)`);
  }
  const status = credential.status ?? {};
  if (status.token) return { kind: "token", token: status.token };
  if (status.clientCertificateData && status.clientKeyData) {
    return { kind: "client-certificate", cert: Buffer.from(status.clientCertificateData), key: Buffer.from(status.clientKeyData) };
  }
  throw new KubeconfigError(`user.exec: ${exec.command} returned neither a token nor a client certificate`);
}

/** Reads the kubeconfig at `path` and resolves one context to a connection. */
export async function readKubeconfig(path: string, options: { context?: string; timeoutMs: number }): Promise<KubeConnection> {
  let config: Kubeconfig;
  try {
    config = (parse(readFileSync(path, "utf8")) ?? {}) as Kubeconfig;
  } catch (error) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(error as Error).message}`);
  }
  const baseDir = dirname(resolve(path));
  const contextName = options.context ?? config["current-context"];
  if (!contextName) throw new KubeconfigError(`${path} has no current-context: name one with --context`);
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new KubeconfigError(`${path} has no context "${contextName}"`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`context "${contextName}": cluster "${context.cluster ?? ""}" has no server`);
  if (cluster["proxy-url"]) throw new KubeconfigError(`cluster "${context.cluster}": proxy-url is not supported`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new KubeconfigError(`cluster "${context.cluster}": server ${cluster.server} is not a URL`);
  }

  const ca = cluster["certificate-authority-data"]
    ? base64(cluster["certificate-authority-data"])
    : cluster["certificate-authority"]
      ? readFile(cluster["certificate-authority"], baseDir, "certificate-authority")
      : undefined;

  const user = context.user ? (config.users?.find((u) => u.name === context.user)?.user ?? {}) : {};
  if (user["auth-provider"]) {
    throw new KubeconfigError(
      `user "${context.user}": auth-provider ${user["auth-provider"].name ?? ""} is not supported; use a token or an exec plugin`,
    );
  }
  if (user.username || user.password) throw new KubeconfigError(`user "${context.user}": basic auth (username/password) is not supported`);

  let credentials: KubeCredentials = { kind: "none" };
  if (user.token) credentials = { kind: "token", token: user.token };
  else if (user.tokenFile) credentials = { kind: "token", token: readFile(user.tokenFile, baseDir, "tokenFile").toString("utf8").trim() };
  else if (user["client-certificate-data"] || user["client-certificate"]) {
    const cert = user["client-certificate-data"]
      ? base64(user["client-certificate-data"])
      : readFile(user["client-certificate"] as string, baseDir, "client-certificate");
    const keySource = user["client-key-data"] ?? user["client-key"];
    if (!keySource) throw new KubeconfigError(`user "${context.user}": a client certificate without client-key or client-key-data`);
    const key = user["client-key-data"] ? base64(user["client-key-data"]) : readFile(user["client-key"] as string, baseDir, "client-key");
    credentials = { kind: "client-certificate", cert, key };
  } else if (user.exec) credentials = await execCredentials(user.exec, baseDir, options.timeoutMs);

  return {
    context: contextName,
    server,
    ca,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: cluster["tls-server-name"],
    credentials,
  };
}

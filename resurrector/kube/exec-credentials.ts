/**
 * Exec credential plugins (client.authentication.k8s.io v1 / v1beta1, e.g. `doctl kubernetes cluster kubeconfig
 * exec-credential`), plugged into @kubernetes/client-node as an authenticator of its KubeConfig.
 *
 * client-node runs exec plugins itself, but without what an unattended resurrector needs: no deadline (a plugin
 * that hangs hangs the run), no KUBERNETES_EXEC_INFO (plugins that read it fail), no refusal of plugins that need a
 * terminal, and a command path taken relative to the working directory instead of the kubeconfig's. This
 * authenticator adds those and caches the credential until its `expirationTimestamp`, as kubectl does.
 */
import { spawn } from "node:child_process";
import type { RequestOptions } from "node:https";
import { isAbsolute, resolve } from "node:path";
import type { KubeConfig, User } from "@kubernetes/client-node";

/** client-node's authenticator contract (its `Authenticator` type is not exported from the package root). */
type Authenticator = Parameters<KubeConfig["addAuthenticator"]>[0];

/** The kubeconfig cannot be used; the message says which field and why. */
export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

export interface ExecConfig {
  readonly command?: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[] | null;
  readonly apiVersion?: string;
  readonly interactiveMode?: string;
}

export type ExecCredential =
  | { readonly kind: "token"; readonly token: string; readonly expiresAt?: Date }
  | { readonly kind: "client-certificate"; readonly cert: string; readonly key: string; readonly expiresAt?: Date };

/** The auth-provider name under which a kubeconfig user's `exec` block is handed to client-node. */
export const execProviderName = "loco-exec";

/** What the authenticator needs to run one user's plugin, stored as that user's auth-provider config. */
export interface ExecProviderConfig {
  /** Not named `exec`: client-node's own exec support claims any auth-provider config with that key. */
  readonly plugin: ExecConfig;
  /** The directory of the kubeconfig that defined the user: a command with a path is relative to it. */
  readonly baseDir: string;
}

/** Runs an exec credential plugin and returns its credential, within `timeoutMs`. */
export async function runExecPlugin(exec: ExecConfig, baseDir: string, timeoutMs: number): Promise<ExecCredential> {
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
    const child = spawn(command, [...(exec.args ?? [])], { env, stdio: ["ignore", "pipe", "pipe"] });
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
  let credential: {
    status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string };
  };
  try {
    credential = JSON.parse(output) as typeof credential;
  } catch {
    throw new KubeconfigError(`user.exec: ${exec.command} did not print an ExecCredential (JSON)`);
  }
  const status = credential.status ?? {};
  const expiry = status.expirationTimestamp ? new Date(status.expirationTimestamp) : undefined;
  const expiresAt = expiry && !Number.isNaN(expiry.getTime()) ? expiry : undefined;
  if (status.token) return { kind: "token", token: status.token, expiresAt };
  if (status.clientCertificateData && status.clientKeyData) {
    return { kind: "client-certificate", cert: status.clientCertificateData, key: status.clientKeyData, expiresAt };
  }
  throw new KubeconfigError(`user.exec: ${exec.command} returned neither a token nor a client certificate`);
}

/** A credential is renewed this long before it expires, so no request goes out with one about to lapse. */
const renewalMarginMs = 30_000;

/** client-node authenticator for users whose auth-provider is {@link execProviderName}. */
export class ExecCredentialAuthenticator implements Authenticator {
  private readonly cache = new Map<string, Promise<ExecCredential>>();

  constructor(private readonly timeoutMs: number) {}

  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: string } | undefined)?.name === execProviderName;
  }

  async applyAuthentication(user: User, opts: RequestOptions): Promise<void> {
    const credential = await this.credential(user);
    if (credential.kind === "token") opts.headers = { ...opts.headers, Authorization: `Bearer ${credential.token}` };
    else {
      opts.cert = credential.cert;
      opts.key = credential.key;
    }
  }

  /** One plugin run shared by every concurrent request; run again once the credential is about to expire. */
  private async credential(user: User): Promise<ExecCredential> {
    const cached = this.cache.get(user.name);
    if (cached) {
      const credential = await cached.catch(() => undefined);
      if (credential && (!credential.expiresAt || credential.expiresAt.getTime() - renewalMarginMs > Date.now())) return credential;
    }
    const { plugin, baseDir } = (user.authProvider as { config: ExecProviderConfig }).config;
    const running = runExecPlugin(plugin, baseDir, this.timeoutMs);
    this.cache.set(user.name, running);
    return running;
  }
}

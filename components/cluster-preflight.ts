/**
 * The check a real run makes before the Kubernetes provider is configured: can this machine get a credential for the
 * cluster, and does the cluster's API accept it?
 *
 * Why: when the exec credential fails (no `doctl` on the runner, a revoked token, an API blip, a control-plane
 * firewall that excludes the runner), the Kubernetes provider sees an unreachable cluster. A refresh then either fails
 * on every object or, with `deleteUnreachable`, forgets them all. Stopping first, with one line that says what is
 * wrong, is better than either. The probe does exactly what the provider's kubeconfig does: it runs the kubeconfig's
 * exec command with its environment and calls the API with the token it prints.
 */
import { execFile } from "node:child_process";
import { request } from "node:https";

/** A check of the kubeconfig the provider is about to use; rejects with a one-line message saying what is wrong. */
export type ClusterPreflight = (kubeconfig: string) => Promise<void>;

export interface ProbeOptions {
  /** Environment the exec command runs in (PATH decides which `doctl` runs). @default process.env */
  readonly environment?: NodeJS.ProcessEnv;
  /** Time allowed for each step: the credential, then the API call. @default 30000 */
  readonly timeoutMs?: number;
}

interface ExecCredentialUser {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
}

interface ParsedKubeconfig {
  readonly server: string;
  readonly caCertificate: string;
  readonly exec: ExecCredentialUser;
}

export class PreflightError extends Error {
  override name = "PreflightError";
}

/** Runs the kubeconfig's exec credential, then `GET /version` with the token; rejects with a {@link PreflightError}. */
export async function probeClusterAccess(kubeconfig: string, options: ProbeOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const parsed = parseKubeconfig(kubeconfig);
  const secrets = (parsed.exec.env ?? []).map((e) => e.value).filter((v) => v.length > 0);
  const token = await execCredential(parsed.exec, options.environment ?? process.env, timeoutMs, secrets);
  await callApi(parsed, token, timeoutMs);
}

function parseKubeconfig(kubeconfig: string): ParsedKubeconfig {
  let config: {
    clusters?: { cluster?: { server?: string; "certificate-authority-data"?: string } }[];
    users?: { user?: { exec?: ExecCredentialUser } }[];
  };
  try {
    config = JSON.parse(kubeconfig) as typeof config;
  } catch {
    throw new PreflightError("the cluster's kubeconfig is not the JSON components/cluster.ts writes");
  }
  const cluster = config.clusters?.[0]?.cluster;
  const exec = config.users?.[0]?.user?.exec;
  if (!cluster?.server || !exec?.command) throw new PreflightError("the cluster's kubeconfig has no server or no exec credential");
  return {
    server: cluster.server,
    caCertificate: Buffer.from(cluster["certificate-authority-data"] ?? "", "base64").toString("utf8"),
    exec,
  };
}

/** `value` with every secret replaced, and only its last non-empty line: a message must never echo a token. */
function redactedLastLine(value: string, secrets: readonly string[]): string {
  const line = value.trim().split(/\r?\n/).filter(Boolean).at(-1) ?? "";
  return secrets.reduce((text, secret) => text.split(secret).join("[redacted]"), line).slice(0, 300);
}

function execCredential(exec: ExecCredentialUser, environment: NodeJS.ProcessEnv, timeoutMs: number, secrets: readonly string[]) {
  const env = { ...environment, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
  const clusterId = exec.args?.at(-1) ?? "?";
  return new Promise<string>((resolve, reject) => {
    execFile(exec.command, [...(exec.args ?? [])], { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
        reject(
          new PreflightError(
            `\`${exec.command}\` is not on the PATH: the cluster's kubeconfig runs it for every credential (README "Deploying for real")`,
          ),
        );
        return;
      }
      if (error) {
        const why = redactedLastLine(stderr || stdout, secrets) || (error.killed ? `no answer in ${timeoutMs} ms` : error.message);
        reject(new PreflightError(`${exec.command} could not issue a credential for cluster ${clusterId}: ${why}`));
        return;
      }
      try {
        const token = (JSON.parse(stdout) as { status?: { token?: string } }).status?.token;
        if (!token) throw new Error("no status.token");
        resolve(token);
      } catch {
        reject(new PreflightError(`${exec.command} answered for cluster ${clusterId} without an ExecCredential token`));
      }
    });
  });
}

function callApi(cluster: ParsedKubeconfig, token: string, timeoutMs: number): Promise<void> {
  const url = new URL("/version", cluster.server);
  const where = `the cluster API at ${cluster.server}`;
  return new Promise<void>((resolve, reject) => {
    const req = request(
      url,
      { method: "GET", ca: cluster.caCertificate || undefined, headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else if (status === 401 || status === 403)
          reject(
            new PreflightError(`${where} refused the credential doctl issued (HTTP ${status}): check loco:clusterAccessToken's scopes`),
          );
        else reject(new PreflightError(`${where} answered HTTP ${status} to GET /version: is the control plane healthy?`));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        new PreflightError(
          `${where} cannot be reached from this machine (${error.code ?? error.message}): a control-plane firewall ` +
            "(loco:cluster.controlPlaneAllowedCidrs) must admit this runner's address, and the cluster must be running",
        ),
      );
    });
    req.end();
  });
}

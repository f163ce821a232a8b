/**
 * Kubeconfig files into a @kubernetes/client-node KubeConfig, which then authenticates every request.
 *
 * Files come from `--kubeconfig` (one file, as kubectl takes it) or `KUBECONFIG` (a list joined by `:`), merged as
 * kubectl merges them: files that do not exist are skipped, the first file to name a context, cluster or user wins,
 * the first `current-context` wins, and relative paths are relative to the file that holds them. client-node's own
 * loader does not do that (it throws on a name defined twice, reads `token-file` instead of `tokenFile`, and turns
 * a `contexts` that is not a list into an empty one), so each file is checked and merged here, then handed over.
 *
 * Supported: `server`, the CA as data or file, `insecure-skip-tls-verify`, `tls-server-name`; credentials as a
 * `token`, a `tokenFile`, a client certificate and key (data or files), or an `exec` plugin (see
 * exec-credentials.ts). Refused, by name: `auth-provider` (the removed gcp/azure/oidc plugins), basic auth,
 * `proxy-url`, and exec plugins that need a terminal. Every problem is a {@link KubeconfigError} naming the file and
 * field; no value from the file (it holds credentials) is ever part of a message.
 */
import { readFileSync } from "node:fs";
import type { RequestOptions } from "node:https";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";
import { parse } from "yaml";
import {
  ExecCredentialAuthenticator,
  execProviderName,
  KubeconfigError,
  type ExecConfig,
  type ExecProviderConfig,
} from "./exec-credentials";

export { KubeconfigError } from "./exec-credentials";

/** The cluster one kubeconfig context points at, ready for client-node. */
export interface KubeTarget {
  readonly context: string;
  readonly server: URL;
  readonly insecureSkipTlsVerify: boolean;
  /** client-node's configuration, with the chosen context current and every credential resolved. */
  readonly kubeConfig: KubeConfig;
}

export interface LoadOptions {
  /** The context to use; by default the merged `current-context`. */
  readonly context?: string;
  /** Deadline for an exec credential plugin, in milliseconds. */
  readonly timeoutMs: number;
}

/** The kubeconfig files to read: `--kubeconfig` when given (one file), else the entries of KUBECONFIG. */
export function kubeconfigPaths(flag: string | undefined, env: NodeJS.ProcessEnv): string[] | undefined {
  if (flag !== undefined && flag !== "") return [flag];
  const list = (env.KUBECONFIG ?? "").split(delimiter).filter((entry) => entry !== "");
  return list.length > 0 ? list : undefined;
}

type Entry = Record<string, unknown>;

/** One named entry of a file, with the directory its relative paths are taken from. */
interface Named {
  readonly name: string;
  readonly body: Entry;
  readonly file: string;
}

interface Merged {
  currentContext?: string;
  readonly contexts: Map<string, Named>;
  readonly clusters: Map<string, Named>;
  readonly users: Map<string, Named>;
}

const describe = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : `a ${typeof value}`;
const isMapping = (value: unknown): value is Entry => typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads one file; undefined when it does not exist and may be skipped (an entry of KUBECONFIG). */
function readConfigFile(path: string, optional: boolean): Entry | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (optional && (error as { code?: string }).code === "ENOENT") return undefined;
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    // Only the first line: the rest quotes the file, which may hold a credential.
    throw new KubeconfigError(`kubeconfig ${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed)) throw new KubeconfigError(`kubeconfig ${path} must be a mapping (got ${describe(parsed)})`);
  return parsed;
}

/** The named entries of one list field (`contexts`, `clusters`, `users`), each checked for shape. */
function namedEntries(config: Entry, field: "contexts" | "clusters" | "users", path: string): Named[] {
  const list = config[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new KubeconfigError(`kubeconfig ${path}: ${field} must be a list (got ${describe(list)})`);
  const inner = field.slice(0, -1);
  return list.map((item: unknown, index) => {
    if (!isMapping(item)) throw new KubeconfigError(`kubeconfig ${path}: ${field}[${index}] must be a mapping (got ${describe(item)})`);
    if (typeof item.name !== "string" || item.name === "") throw new KubeconfigError(`kubeconfig ${path}: ${field}[${index}] has no name`);
    const body = item[inner] ?? {};
    if (!isMapping(body)) {
      throw new KubeconfigError(
        `kubeconfig ${path}: ${field}[${index}] (${item.name}): ${inner} must be a mapping (got ${describe(body)})`,
      );
    }
    return { name: item.name, body, file: path };
  });
}

function merge(paths: readonly string[]): Merged {
  const merged: Merged = { contexts: new Map(), clusters: new Map(), users: new Map() };
  let read = 0;
  for (const path of paths) {
    const config = readConfigFile(path, paths.length > 1);
    if (!config) continue;
    read += 1;
    const current = config["current-context"];
    if (current !== undefined && current !== null && typeof current !== "string") {
      throw new KubeconfigError(`kubeconfig ${path}: current-context must be a string (got ${describe(current)})`);
    }
    if (merged.currentContext === undefined && current) merged.currentContext = current;
    for (const field of ["contexts", "clusters", "users"] as const) {
      for (const entry of namedEntries(config, field, path)) if (!merged[field].has(entry.name)) merged[field].set(entry.name, entry);
    }
  }
  if (read === 0) throw new KubeconfigError(`none of the kubeconfig files exists: ${paths.join(", ")}`);
  return merged;
}

function optionalString(entry: Named, key: string, what: string): string | undefined {
  const value = entry.body[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new KubeconfigError(`kubeconfig ${entry.file}: ${what} "${entry.name}": ${key} must be a string`);
  return value;
}

/** A file a kubeconfig entry names, read now so a missing one is reported before anything is sent. */
function readReferenced(entry: Named, key: string, what: string): Buffer | undefined {
  const path = optionalString(entry, key, what);
  if (!path) return undefined;
  const full = isAbsolute(path) ? path : resolve(dirname(entry.file), path);
  try {
    return readFileSync(full);
  } catch (error) {
    throw new KubeconfigError(`${key}: cannot read ${full}: ${(error as Error).message}`);
  }
}

const base64 = (data: Buffer | undefined) => data?.toString("base64");

function clusterFor(entry: Named): { cluster: Cluster; server: URL } {
  const serverText = optionalString(entry, "server", "cluster");
  if (!serverText) throw new KubeconfigError(`kubeconfig ${entry.file}: cluster "${entry.name}" has no server`);
  if (optionalString(entry, "proxy-url", "cluster")) throw new KubeconfigError(`cluster "${entry.name}": proxy-url is not supported`);
  let server: URL;
  try {
    server = new URL(serverText);
  } catch {
    throw new KubeconfigError(`cluster "${entry.name}": server ${serverText} is not a URL`);
  }
  const caData =
    optionalString(entry, "certificate-authority-data", "cluster") ?? base64(readReferenced(entry, "certificate-authority", "cluster"));
  const skip = entry.body["insecure-skip-tls-verify"];
  return {
    server,
    cluster: {
      name: entry.name,
      server: serverText.replace(/\/$/, ""),
      caData,
      skipTLSVerify: skip === true,
      tlsServerName: optionalString(entry, "tls-server-name", "cluster"),
    },
  };
}

function userFor(entry: Named | undefined, name: string): User {
  if (!entry) return { name };
  const user = entry.body;
  const authProvider = user["auth-provider"];
  if (authProvider !== undefined && authProvider !== null) {
    const providerName = isMapping(authProvider) && typeof authProvider.name === "string" ? authProvider.name : "";
    throw new KubeconfigError(`user "${name}": auth-provider ${providerName} is not supported; use a token or an exec plugin`);
  }
  if (user.username || user.password) throw new KubeconfigError(`user "${name}": basic auth (username/password) is not supported`);

  const token = optionalString(entry, "token", "user") ?? readReferenced(entry, "tokenFile", "user")?.toString("utf8").trim();
  if (token) return { name, token };
  const certData = optionalString(entry, "client-certificate-data", "user") ?? base64(readReferenced(entry, "client-certificate", "user"));
  if (certData) {
    if (!user["client-key-data"] && !user["client-key"]) {
      throw new KubeconfigError(`user "${name}": a client certificate without client-key or client-key-data`);
    }
    const keyData = optionalString(entry, "client-key-data", "user") ?? base64(readReferenced(entry, "client-key", "user"));
    return { name, certData, keyData };
  }
  const exec = user.exec;
  if (exec !== undefined && exec !== null) {
    if (!isMapping(exec)) throw new KubeconfigError(`kubeconfig ${entry.file}: user "${name}": exec must be a mapping`);
    const config: ExecProviderConfig = { plugin: exec as ExecConfig, baseDir: dirname(entry.file) };
    return { name, authProvider: { name: execProviderName, config } };
  }
  return { name };
}

/** Reads and merges the files, resolves one context and proves its credentials work locally (an exec plugin runs). */
export async function loadKubeconfig(paths: readonly string[], options: LoadOptions): Promise<KubeTarget> {
  if (paths.length === 0) throw new KubeconfigError("no kubeconfig file given");
  const files = paths.map((path) => resolve(path));
  const merged = merge(files);
  const where = files.length === 1 ? files[0] : `the kubeconfig files (${files.join(", ")})`;
  const contextName = options.context ?? merged.currentContext;
  if (!contextName) throw new KubeconfigError(`${where} has no current-context: name one with --context`);
  const contextEntry = merged.contexts.get(contextName);
  if (!contextEntry) throw new KubeconfigError(`${where} has no context "${contextName}"`);
  const clusterName = optionalString(contextEntry, "cluster", "context");
  const clusterEntry = clusterName ? merged.clusters.get(clusterName) : undefined;
  if (!clusterEntry) throw new KubeconfigError(`context "${contextName}": cluster "${clusterName ?? ""}" has no server`);
  const { cluster, server } = clusterFor(clusterEntry);
  const userName = optionalString(contextEntry, "user", "context") ?? "";
  const user = userFor(merged.users.get(userName), userName);
  const context: Context = { name: contextName, cluster: cluster.name, user: user.name };

  const kubeConfig = new KubeConfig();
  kubeConfig.addAuthenticator(new ExecCredentialAuthenticator(options.timeoutMs));
  kubeConfig.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: contextName });
  try {
    // Resolves the credentials once now (runs an exec plugin), so a broken one stops the command before any request.
    await kubeConfig.applyToHTTPSOptions({} as RequestOptions);
  } catch (error) {
    if (error instanceof KubeconfigError) throw error;
    throw new KubeconfigError(`context "${contextName}": the credentials cannot be used: ${(error as Error).message}`);
  }
  return { context: contextName, server, insecureSkipTlsVerify: cluster.skipTLSVerify, kubeConfig };
}

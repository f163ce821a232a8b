/**
 * The watch's second source: DigitalOcean's own view of the guarded cluster, over its public API
 * (`GET /v2/kubernetes/clusters`, `GET /v2/kubernetes/clusters/{id}`, `.../kubeconfig`). Every request is bounded
 * by a timeout; errors say which request failed and why, never the token (it is sent, never logged or echoed).
 */
import type { SecondSourceAnswer } from "./watch-decision";

export const digitaloceanApi = new URL("https://api.digitalocean.com/");

export interface DigitalOceanClientOptions {
  /** An API token with read access to Kubernetes (DIGITALOCEAN_TOKEN). */
  readonly token: string;
  /**
   * The API's base URL (a fake one in tests).
   * @default https://api.digitalocean.com/
   */
  readonly baseUrl?: URL;
  /**
   * Time one request may take, in milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

export interface DigitalOceanCluster {
  readonly id: string;
  readonly name: string;
  /** status.state: running, provisioning, degraded, error, deleted, upgrading, deleting, invalid. */
  readonly state: string;
}

/** A request failed: `status` is the HTTP status when the API answered. The message never holds the token. */
export class DigitalOceanApiError extends Error {
  override readonly name = "DigitalOceanApiError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface ClusterJson {
  id?: unknown;
  name?: unknown;
  status?: { state?: unknown };
}

function clusterFrom(json: ClusterJson | undefined, where: string): DigitalOceanCluster {
  if (typeof json?.id !== "string" || typeof json.name !== "string") {
    throw new DigitalOceanApiError(`${where}: the answer has no cluster id and name`);
  }
  return { id: json.id, name: json.name, state: typeof json.status?.state === "string" ? json.status.state : "unknown" };
}

/** Most pages a cluster listing follows: 200 clusters a page, far more than any account this guards holds. */
const maxPages = 20;

export class DigitalOceanClient {
  private readonly baseUrl: URL;
  private readonly timeoutMs: number;

  constructor(private readonly options: DigitalOceanClientOptions) {
    if (!options.token) throw new DigitalOceanApiError("no DigitalOcean API token: set DIGITALOCEAN_TOKEN");
    this.baseUrl = options.baseUrl ?? digitaloceanApi;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** One GET: the response when it is 2xx or 404, a {@link DigitalOceanApiError} otherwise. */
  private async get(path: string, accept = "application/json"): Promise<Response> {
    const where = `DigitalOcean API GET ${path.split("?")[0]}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        headers: { authorization: `Bearer ${this.options.token}`, accept },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new DigitalOceanApiError(`${where}: no answer within ${this.timeoutMs / 1000} s`);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new DigitalOceanApiError(`${where}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (response.ok || response.status === 404) return response;
    const body = await response.text().catch(() => "");
    let message = "";
    try {
      message = String((JSON.parse(body) as { message?: unknown }).message ?? "");
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    const refused = response.status === 401 || response.status === 403 ? ": the token is refused" : "";
    throw new DigitalOceanApiError(
      `${where}: HTTP ${response.status}${refused}${message ? ` (${message.replaceAll(this.options.token, "***").slice(0, 200)})` : ""}`,
      response.status,
    );
  }

  private async json<T>(path: string): Promise<T | undefined> {
    const response = await this.get(path);
    if (response.status === 404) return undefined;
    try {
      return (await response.json()) as T;
    } catch {
      throw new DigitalOceanApiError(`DigitalOcean API GET ${path.split("?")[0]}: the answer is not JSON`);
    }
  }

  /** Every Kubernetes cluster of the account, following the pages. */
  async listClusters(): Promise<DigitalOceanCluster[]> {
    const clusters: DigitalOceanCluster[] = [];
    let path: string | undefined = "/v2/kubernetes/clusters?per_page=200";
    for (let page = 0; path && page < maxPages; page++) {
      const body: { kubernetes_clusters?: ClusterJson[]; links?: { pages?: { next?: string } } } | undefined = await this.json(path);
      if (!body || !Array.isArray(body.kubernetes_clusters)) {
        throw new DigitalOceanApiError("DigitalOcean API GET /v2/kubernetes/clusters: the answer has no kubernetes_clusters list");
      }
      clusters.push(...body.kubernetes_clusters.map((c) => clusterFrom(c, "DigitalOcean API GET /v2/kubernetes/clusters")));
      const next: string | undefined = body.links?.pages?.next;
      path = next ? `${new URL(next).pathname}${new URL(next).search}` : undefined;
    }
    return clusters;
  }

  /** One cluster by id; undefined when DigitalOcean answers 404 (it does not exist, or no longer). */
  async getCluster(id: string): Promise<DigitalOceanCluster | undefined> {
    const path = `/v2/kubernetes/clusters/${encodeURIComponent(id)}`;
    const body = await this.json<{ kubernetes_cluster?: ClusterJson }>(path);
    return body === undefined ? undefined : clusterFrom(body.kubernetes_cluster, `DigitalOcean API GET ${path}`);
  }

  /** The cluster's kubeconfig (YAML, with a short-lived token); undefined on 404. */
  async kubeconfig(id: string): Promise<string | undefined> {
    const response = await this.get(`/v2/kubernetes/clusters/${encodeURIComponent(id)}/kubeconfig`, "application/yaml");
    return response.status === 404 ? undefined : await response.text();
  }
}

/** The generation in a DigitalOcean cluster name of `stack`, as components/cluster.ts names them; undefined if not one. */
export function clusterGeneration(stack: string, name: string): number | undefined {
  const base = `loco-${stack}-cluster`;
  if (name === base) return 1;
  const match = name.startsWith(`${base}-g`) ? /^(\d+)$/.exec(name.slice(base.length + 2)) : null;
  const generation = match ? Number(match[1]) : NaN;
  return generation >= 2 ? generation : undefined;
}

/** The guarded stack's newest-generation cluster in a listing (a rebuild builds the new one beside the dead one). */
export function guardedCluster(stack: string, clusters: readonly DigitalOceanCluster[]): DigitalOceanCluster | undefined {
  return clusters
    .map((cluster) => ({ cluster, generation: clusterGeneration(stack, cluster.name) }))
    .filter((c): c is { cluster: DigitalOceanCluster; generation: number } => c.generation !== undefined)
    .sort((a, b) => b.generation - a.generation)[0]?.cluster;
}

/** What DigitalOcean says about the stack's cluster; any failure to ask is an answer too (refused token, unreachable). */
export async function askDigitalOcean(client: DigitalOceanClient, stack: string): Promise<SecondSourceAnswer> {
  try {
    const listed = guardedCluster(stack, await client.listClusters());
    if (!listed) return { kind: "gone", detail: `no cluster named loco-${stack}-cluster[-g<n>] in the account` };
    const cluster = await client.getCluster(listed.id);
    if (!cluster) return { kind: "gone", detail: `${listed.name} (${listed.id}) answers 404` };
    return cluster.state === "running"
      ? { kind: "running", cluster: cluster.name }
      : { kind: "not-running", cluster: cluster.name, state: cluster.state };
  } catch (error) {
    if (error instanceof DigitalOceanApiError && (error.status === 401 || error.status === 403))
      return { kind: "refused", detail: error.message };
    return { kind: "unreachable", detail: error instanceof DigitalOceanApiError ? error.message : String(error) };
  }
}

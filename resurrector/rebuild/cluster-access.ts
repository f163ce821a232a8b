/**
 * How a rebuild reaches the cluster it just built. The platform stack has no kubeconfig output (day two removed it:
 * the only credential there is the cluster access token), so after converge the kubeconfig comes from DigitalOcean's
 * API: the cluster is found by its name (`loco-<stack>-cluster`, `-g<n>` from generation 2, components/cluster.ts)
 * and `GET /v2/kubernetes/clusters/{id}/kubeconfig` returns a kubeconfig with a short-lived token. It is loaded from
 * a private temporary file that is removed at once; the token never reaches a log or the database.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterName } from "../../components/cluster";
import { loadKubeconfig, type KubeTarget } from "../kube/kubeconfig";

/** Reaches the guarded stack's cluster of one generation. */
export interface ClusterAccess {
  target(stack: string, generation: number): Promise<KubeTarget>;
}

/** The DigitalOcean name of a stack's cluster (stacks/cloud-foundation.ts names the component `loco-<stack>-cluster`). */
export const digitalOceanClusterName = (stack: string, generation: number) => clusterName(`loco-${stack}-cluster`, generation);

export class ClusterAccessError extends Error {
  override readonly name = "ClusterAccessError";
}

export interface DigitalOceanAccessOptions {
  /** DIGITALOCEAN_TOKEN: read access to Kubernetes clusters is enough. */
  readonly token: string;
  /** @default "https://api.digitalocean.com" */
  readonly apiUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Lifetime of the kubeconfig's token, in seconds: long enough for the rest of the rebuild.
   * @default 14400
   */
  readonly expirySeconds?: number;
  /**
   * Deadline of each API request, in milliseconds.
   * @default 30000
   */
  readonly timeoutMs?: number;
}

interface ClusterList {
  readonly kubernetes_clusters?: readonly { readonly id?: string; readonly name?: string; readonly status?: { readonly state?: string } }[];
  readonly links?: { readonly pages?: { readonly next?: string } };
}

export function digitalOceanClusterAccess(options: DigitalOceanAccessOptions): ClusterAccess {
  const apiUrl = (options.apiUrl ?? "https://api.digitalocean.com").replace(/\/$/, "");
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const get = async (url: string, what: string): Promise<Response> => {
    let response: Response;
    try {
      response = await send(url, { headers: { authorization: `Bearer ${options.token}` }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = (error as Error).name;
      throw new ClusterAccessError(
        `DigitalOcean's API did not answer ${what}: ${name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : ((error as { cause?: { code?: string } }).cause?.code ?? name)}`,
      );
    }
    if (!response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      const hint = response.status === 401 || response.status === 403 ? " (check DIGITALOCEAN_TOKEN and its scopes)" : "";
      throw new ClusterAccessError(`DigitalOcean's API answered ${what} with HTTP ${response.status}${hint}`);
    }
    return response;
  };

  return {
    target: async (stack, generation) => {
      const name = digitalOceanClusterName(stack, generation);
      let url: string | undefined = `${apiUrl}/v2/kubernetes/clusters?per_page=200`;
      let found: { id: string; state?: string } | undefined;
      for (let page = 0; url && !found && page < 50; page++) {
        const list = (await (await get(url, "the list of clusters")).json().catch(() => ({}))) as ClusterList;
        const match = list.kubernetes_clusters?.find((cluster) => cluster.name === name);
        if (match?.id) found = { id: match.id, state: match.status?.state };
        url = list.links?.pages?.next;
      }
      if (!found) throw new ClusterAccessError(`DigitalOcean has no Kubernetes cluster named ${name}`);
      if (found.state !== undefined && found.state !== "running") {
        throw new ClusterAccessError(`DigitalOcean's cluster ${name} is ${found.state}, not running`);
      }
      const expiry = options.expirySeconds ?? 14_400;
      const kubeconfig = await (
        await get(
          `${apiUrl}/v2/kubernetes/clusters/${encodeURIComponent(found.id)}/kubeconfig?expiry_seconds=${expiry}`,
          `the kubeconfig of ${name}`,
        )
      ).text();
      const dir = mkdtempSync(join(tmpdir(), "loco-rebuild-kubeconfig-"));
      try {
        const file = join(dir, "kubeconfig.yaml");
        writeFileSync(file, kubeconfig, { mode: 0o600 });
        return await loadKubeconfig([file], { timeoutMs });
      } catch (error) {
        throw new ClusterAccessError(`the kubeconfig DigitalOcean returned for ${name} cannot be used: ${(error as Error).message}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fixed kubeconfig (`rebuild --kubeconfig`): the operator says where the new cluster is. */
export function kubeconfigFileAccess(paths: readonly string[], context?: string): ClusterAccess {
  return { target: () => loadKubeconfig(paths, { context, timeoutMs: 30_000 }) };
}

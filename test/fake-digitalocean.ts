/**
 * A fake of DigitalOcean's Kubernetes API on 127.0.0.1 (a free port): the cluster list (paged), one cluster by id
 * and its kubeconfig. It checks the bearer token and records every request; a test sets what it answers: the
 * clusters, a status code for every request (5xx, 401), or no answer at all (hang).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeCluster {
  id: string;
  name: string;
  state: string;
}

export interface FakeDigitalOcean {
  readonly url: URL;
  readonly token: string;
  /** The clusters the account holds; change it between requests. */
  clusters: FakeCluster[];
  /** Clusters per page of the listing. */
  pageSize: number;
  /** When set, every request gets this status (and a DigitalOcean-style error body). */
  failWith?: number;
  /** When true, requests are accepted and never answered. */
  hang: boolean;
  /** Ids the listing shows but a GET by id answers 404 for (a cluster deleted between the two requests). */
  vanished: Set<string>;
  /** Every request: method, path with query, and whether its token was right. */
  readonly requests: { method: string; path: string; authorized: boolean }[];
  close(): Promise<void>;
}

export async function startFakeDigitalOcean(token = "dop_v1_fake-token-0123456789"): Promise<FakeDigitalOcean> {
  const hanging = new Set<ServerResponse>();
  const fake: FakeDigitalOcean = {
    url: new URL("http://127.0.0.1/"),
    token,
    clusters: [],
    pageSize: 200,
    hang: false,
    vanished: new Set(),
    requests: [],
    close: () => Promise.resolve(),
  };
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const clusterJson = (c: FakeCluster) => ({ id: c.id, name: c.name, region: "nyc3", status: { state: c.state } });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const authorized = request.headers.authorization === `Bearer ${fake.token}`;
    fake.requests.push({ method: request.method ?? "", path: `${url.pathname}${url.search}`, authorized });
    if (fake.hang) {
      hanging.add(response);
      return;
    }
    if (fake.failWith) return send(response, fake.failWith, { id: "server_error", message: "Server was unable to give you a response." });
    if (!authorized) return send(response, 401, { id: "Unauthorized", message: "Unable to authenticate you" });
    if (request.method !== "GET") return send(response, 405, { id: "method_not_allowed", message: "only GET here" });
    if (url.pathname === "/v2/kubernetes/clusters") {
      const page = Number(url.searchParams.get("page") ?? "1");
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? "20"), fake.pageSize);
      const items = fake.clusters.slice((page - 1) * perPage, page * perPage);
      const next =
        page * perPage < fake.clusters.length
          ? `${fake.url.origin}/v2/kubernetes/clusters?page=${page + 1}&per_page=${perPage}`
          : undefined;
      return send(response, 200, {
        kubernetes_clusters: items.map(clusterJson),
        links: next ? { pages: { next } } : {},
        meta: { total: fake.clusters.length },
      });
    }
    const one = /^\/v2\/kubernetes\/clusters\/([^/]+)(\/kubeconfig)?$/.exec(url.pathname);
    const id = one ? decodeURIComponent(one[1]) : "";
    const cluster = fake.vanished.has(id) ? undefined : fake.clusters.find((c) => c.id === id);
    if (!one || !cluster) return send(response, 404, { id: "not_found", message: "The resource you were accessing could not be found." });
    if (one[2]) {
      response
        .writeHead(200, { "content-type": "application/yaml" })
        .end(`apiVersion: v1\nkind: Config\nclusters: []\n# ${cluster.name}\n`);
      return;
    }
    return send(response, 200, { kubernetes_cluster: clusterJson(cluster) });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (fake as { url: URL }).url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const response of hanging) response.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}

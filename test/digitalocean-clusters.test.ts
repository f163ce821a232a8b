/** The watch's second source against a fake DigitalOcean API: paths, token, paging, 404, 5xx, 401 and a hang. */
import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import { clusterName } from "../components/cluster";
import {
  askDigitalOcean,
  clusterGeneration,
  DigitalOceanApiError,
  DigitalOceanClient,
  guardedCluster,
} from "../resurrector/watch/digitalocean-clusters";
import { startFakeDigitalOcean, type FakeDigitalOcean } from "./fake-digitalocean";

let fake: FakeDigitalOcean;
const ready = startFakeDigitalOcean().then((f) => (fake = f));
after(async () => (await ready).close());

const client = (options: { token?: string; timeoutMs?: number } = {}) =>
  new DigitalOceanClient({ token: options.token ?? fake.token, baseUrl: fake.url, timeoutMs: options.timeoutMs ?? 5_000 });

beforeEach(async () => {
  await ready;
  fake.clusters = [
    { id: "c-dev", name: "loco-dev-cluster", state: "running" },
    { id: "c-prod-1", name: "loco-prod-cluster", state: "running" },
    { id: "c-other", name: "loco-prod-cluster-old", state: "running" },
  ];
  fake.pageSize = 200;
  fake.failWith = undefined;
  fake.hang = false;
  fake.vanished.clear();
  fake.requests.length = 0;
});

describe("cluster names", () => {
  test("generations are read as components/cluster.ts writes them", () => {
    assert.equal(clusterGeneration("prod", clusterName("loco-prod-cluster", 1)), 1);
    assert.equal(clusterGeneration("prod", clusterName("loco-prod-cluster", 2)), 2);
    assert.equal(clusterGeneration("prod", clusterName("loco-prod-cluster", 17)), 17);
    assert.equal(clusterGeneration("prod", "loco-prod-cluster-old"), undefined);
    assert.equal(clusterGeneration("prod", "loco-prod-cluster-g1"), undefined);
    assert.equal(clusterGeneration("prod", "loco-dev-cluster"), undefined);
  });

  test("the newest generation is the guarded cluster", () => {
    const picked = guardedCluster("prod", [
      { id: "a", name: "loco-prod-cluster", state: "running" },
      { id: "c", name: "loco-prod-cluster-g3", state: "provisioning" },
      { id: "b", name: "loco-prod-cluster-g2", state: "running" },
    ]);
    assert.equal(picked?.id, "c");
  });
});

describe("the DigitalOcean client", () => {
  test("lists clusters with the bearer token, following pages", async () => {
    fake.pageSize = 2;
    const clusters = await client().listClusters();
    assert.deepEqual(
      clusters.map((c) => c.name),
      ["loco-dev-cluster", "loco-prod-cluster", "loco-prod-cluster-old"],
    );
    assert.deepEqual(fake.requests, [
      { method: "GET", path: "/v2/kubernetes/clusters?per_page=200", authorized: true },
      { method: "GET", path: "/v2/kubernetes/clusters?page=2&per_page=2", authorized: true },
    ]);
  });

  test("gets one cluster by id, undefined on 404", async () => {
    assert.deepEqual(await client().getCluster("c-prod-1"), { id: "c-prod-1", name: "loco-prod-cluster", state: "running" });
    assert.equal(await client().getCluster("nope"), undefined);
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ["/v2/kubernetes/clusters/c-prod-1", "/v2/kubernetes/clusters/nope"],
    );
  });

  test("fetches a cluster's kubeconfig", async () => {
    assert.match((await client().kubeconfig("c-prod-1")) ?? "", /kind: Config[\s\S]*loco-prod-cluster/);
    assert.equal(await client().kubeconfig("nope"), undefined);
  });

  test("a 5xx is an error naming the request and the status", async () => {
    fake.failWith = 503;
    await assert.rejects(client().listClusters(), (error: DigitalOceanApiError) => {
      assert.equal(error.status, 503);
      assert.equal(error.message, "DigitalOcean API GET /v2/kubernetes/clusters: HTTP 503 (Server was unable to give you a response.)");
      return true;
    });
  });

  test("a refused token is said so, and the token is never in the message", async () => {
    const wrong = "dop_v1_wrong-token-9876543210";
    await assert.rejects(client({ token: wrong }).getCluster("c-prod-1"), (error: Error) => {
      assert.equal(
        error.message,
        "DigitalOcean API GET /v2/kubernetes/clusters/c-prod-1: HTTP 401: the token is refused (Unable to authenticate you)",
      );
      assert.ok(!error.message.includes(wrong) && !error.message.includes(fake.token));
      return true;
    });
    assert.equal(fake.requests[0].authorized, false);
  });

  test("an API that never answers times out within the bound", async () => {
    fake.hang = true;
    await assert.rejects(
      client({ timeoutMs: 300 }).listClusters(),
      /^DigitalOceanApiError: DigitalOcean API GET \/v2\/kubernetes\/clusters: no answer within 0.3 s$/,
    );
  });

  test("no token at all is refused before any request", () => {
    assert.throws(() => new DigitalOceanClient({ token: "" }), /no DigitalOcean API token: set DIGITALOCEAN_TOKEN/);
  });
});

describe("asking DigitalOcean about the guarded cluster", () => {
  test("running", async () => {
    assert.deepEqual(await askDigitalOcean(client(), "prod"), { kind: "running", cluster: "loco-prod-cluster" });
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ["/v2/kubernetes/clusters?per_page=200", "/v2/kubernetes/clusters/c-prod-1"],
    );
  });

  test("not running: the newest generation's state", async () => {
    fake.clusters.push({ id: "c-prod-2", name: "loco-prod-cluster-g2", state: "degraded" });
    assert.deepEqual(await askDigitalOcean(client(), "prod"), { kind: "not-running", cluster: "loco-prod-cluster-g2", state: "degraded" });
  });

  test("gone: not in the list", async () => {
    fake.clusters = fake.clusters.filter((c) => c.name !== "loco-prod-cluster");
    assert.deepEqual(await askDigitalOcean(client(), "prod"), {
      kind: "gone",
      detail: "no cluster named loco-prod-cluster[-g<n>] in the account",
    });
  });

  test("gone: listed, but its own URL answers 404", async () => {
    fake.vanished.add("c-prod-1");
    assert.deepEqual(await askDigitalOcean(client(), "prod"), { kind: "gone", detail: "loco-prod-cluster (c-prod-1) answers 404" });
  });

  test("refused: a token DigitalOcean refuses (401) is its own answer, not an unreachable API", async () => {
    const answer = await askDigitalOcean(client({ token: "dop_v1_wrong-token-9876543210" }), "prod");
    assert.deepEqual(answer, {
      kind: "refused",
      detail: "DigitalOcean API GET /v2/kubernetes/clusters: HTTP 401: the token is refused (Unable to authenticate you)",
    });
  });

  test("unreachable: a 5xx or a hang is an answer, never an exception", async () => {
    fake.failWith = 500;
    const answer = await askDigitalOcean(client(), "prod");
    assert.equal(answer.kind, "unreachable");
    fake.failWith = undefined;
    fake.hang = true;
    assert.deepEqual(await askDigitalOcean(client({ timeoutMs: 200 }), "prod"), {
      kind: "unreachable",
      detail: "DigitalOcean API GET /v2/kubernetes/clusters: no answer within 0.2 s",
    });
  });
});

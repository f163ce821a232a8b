/**
 * `resurrector rebuild` on the command line (dry run unless both --act and LOCO_RESURRECTOR_ACT=true, exit codes),
 * with the fake `pulumi` first on the PATH, and where the new cluster's kubeconfig comes from: DigitalOcean's API
 * (resurrector/rebuild/cluster-access.ts) against a small fake of it.
 */
import assert from "node:assert/strict";
import { delimiter, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { resurrectorCommand } from "../cli/resurrector";
import { rebuildOutcomeText } from "../resurrector/commands/rebuild-command";
import { generateMasterKey, parseMasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { loadDemoDatabase } from "../resurrector/demo/demo-database";
import { ClusterAccessError, digitalOceanClusterAccess, digitalOceanClusterName } from "../resurrector/rebuild/cluster-access";
import { testPki, writeKubeconfig } from "./fake-kube-api";
import { fakePulumi, type FakePulumi } from "./fake-pulumi";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const encodedKey = generateMasterKey();
let server: EmbeddedDatabase;
let pulumi: FakePulumi;
const originalPath = process.env.PATH;

before(async () => {
  server = await startEmbeddedPostgres("loco");
  const client = await connectDatabase(server.url);
  try {
    await loadDemoDatabase(client, parseMasterKey(encodedKey), new Date());
  } finally {
    await client.end();
  }
  pulumi = fakePulumi({ stacks: { prod: { "loco:cluster.generation": "2" } } });
  // The command finds `pulumi` on the PATH, as in the resurrector's image.
  process.env.PATH = `${join(pulumi.root, "bin")}${delimiter}${originalPath ?? ""}`;
});

after(async () => {
  process.env.PATH = originalPath;
  pulumi?.close();
  await server?.stop();
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  resurrectorCommand(["rebuild", "--environment", "prod", "--database-url", server.url, ...args], {
    LOCO_RESURRECTOR_KEY: encodedKey,
    ...env,
  });

const changes = () => pulumi.calls().filter((c) => ["config set", "refresh", "up"].some((verb) => c.argv.join(" ").startsWith(verb)));

describe("rebuild on the command line", () => {
  test("without --act it is a dry run: exit 0, what each phase would do, nothing changed", async () => {
    const result = await run(["--json"]);
    assert.equal(result.code, 0, result.stderr);
    const outcome = JSON.parse(result.stdout) as { status: string; summary: string; act: boolean };
    assert.deepEqual([outcome.status, outcome.act], ["dry-run", false]);
    assert.match(outcome.summary, /would set loco:cluster\.generation of stack prod from 2 to 3/);
    assert.deepEqual(changes(), []);
  });

  test("a rebuild that converged says, on a line of its own, which generation to commit to the stack file", () => {
    const nextStep = "stack prod now runs cluster generation 3: commit loco:cluster.generation: 3 to Pulumi.prod.yaml (...)";
    const text = rebuildOutcomeText("prod", {
      status: "succeeded",
      rebuildId: "7",
      summary: "rebuild 7 succeeded: ...",
      convergedGeneration: 3,
      nextStep,
    });
    assert.deepEqual(text.split("\n"), ["Rebuild of prod: succeeded", "rebuild 7 succeeded: ...", nextStep]);
    assert.deepEqual(rebuildOutcomeText("prod", { status: "dry-run", summary: "dry run: ..." }).split("\n"), [
      "Rebuild of prod: dry-run",
      "dry run: ...",
    ]);
  });

  test("--act alone, or LOCO_RESURRECTOR_ACT=true alone, is still a dry run and says why", async () => {
    const flagOnly = await run(["--act"], { DIGITALOCEAN_TOKEN: "unused" });
    assert.equal(flagOnly.code, 0);
    assert.match(flagOnly.stdout, /^Rebuild of prod: dry-run\n/);
    assert.match(flagOnly.stdout, /--act was given but LOCO_RESURRECTOR_ACT is not "true": dry run/);
    const envOnly = await run([], { LOCO_RESURRECTOR_ACT: "true" });
    assert.match(envOnly.stdout, /LOCO_RESURRECTOR_ACT=true but --act was not given: dry run/);
    assert.deepEqual(changes(), []);
  });

  test("acting without a way to reach the new cluster is a bad command line", async () => {
    const result = await run(["--act"], { LOCO_RESURRECTOR_ACT: "true" });
    assert.equal(result.code, 64);
    assert.equal(
      result.stderr,
      "resurrector rebuild: --act needs DIGITALOCEAN_TOKEN (to fetch the new cluster's kubeconfig) or --kubeconfig",
    );
    assert.deepEqual(changes(), []);
  });

  test("a refusal exits 3 and names the limit: here, an unreadable database", async () => {
    const result = await resurrectorCommand(["rebuild", "--environment", "prod", "--database-url", "postgres://u:pw@127.0.0.1:1/loco"], {});
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^Rebuild of prod: refused\nno truth, no action: loco's database cannot be reached/);
    assert.doesNotMatch(result.stderr, /:pw@/);
  });

  test("--cluster names loco's cluster to replay; one loco does not know is refused as no truth", async () => {
    const result = await run(["--cluster", "atlantis-1"]);
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      /^Rebuild of prod: refused\nno truth, no action: loco's database cannot be read \(.*atlantis-1.*\); nothing was changed$/,
    );
  });

  test("a malformed LOCO_RESURRECTOR_KEY is refused naming the variable, not its value", async () => {
    const result = await run([], { LOCO_RESURRECTOR_KEY: "not-a-key-zzz" });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^resurrector rebuild: LOCO_RESURRECTOR_KEY: .*\nNothing was changed\.$/);
    assert.doesNotMatch(result.stderr, /not-a-key-zzz/);
  });

  test("--environment and a database are required", async () => {
    assert.equal((await resurrectorCommand(["rebuild", "--database-url", server.url], {})).code, 64);
    const noDatabase = await resurrectorCommand(["rebuild", "--environment", "prod"], {});
    assert.equal(noDatabase.code, 64);
    assert.match(noDatabase.stderr, /rebuild needs --database-url \(or LOCO_DATABASE_URL\)/);
  });
});

describe("the new cluster's kubeconfig from DigitalOcean's API", () => {
  const dir = mkdtempSync(join(tmpdir(), "loco-do-kubeconfig-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake of the two endpoints: the cluster list (two pages) and one cluster's kubeconfig. */
  function fakeDigitalOcean(kubeconfig: string, state = "running") {
    const requests: { url: string; authorization: string | null }[] = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(String(input));
      requests.push({ url: url.pathname + url.search, authorization: new Headers(init?.headers).get("authorization") });
      if (url.pathname === "/v2/kubernetes/clusters" && !url.searchParams.has("page")) {
        return Response.json({
          kubernetes_clusters: [{ id: "c-1", name: "loco-prod-cluster-g2", status: { state: "deleted" } }],
          links: { pages: { next: "https://do.test/v2/kubernetes/clusters?per_page=200&page=2" } },
        });
      }
      if (url.pathname === "/v2/kubernetes/clusters") {
        return Response.json({ kubernetes_clusters: [{ id: "c-3", name: "loco-prod-cluster-g3", status: { state } }], links: {} });
      }
      if (url.pathname === "/v2/kubernetes/clusters/c-3/kubeconfig") return new Response(kubeconfig);
      return new Response("not found", { status: 404 });
    };
    return { fetch, requests };
  }

  test("the cluster is found by its generation's name across pages, and its kubeconfig loaded", async () => {
    const pki = await testPki();
    const kubeconfig = readFileSync(writeKubeconfig(dir, "https://127.0.0.1:6443", pki, { token: "t" }, {}, "do.yaml"), "utf8");
    const digitalOcean = fakeDigitalOcean(kubeconfig);
    const access = digitalOceanClusterAccess({ token: "do-token", apiUrl: "https://do.test", fetch: digitalOcean.fetch });
    const target = await access.target("prod", 3);
    assert.equal(target.server.origin, "https://127.0.0.1:6443");
    assert.deepEqual(digitalOcean.requests, [
      { url: "/v2/kubernetes/clusters?per_page=200", authorization: "Bearer do-token" },
      { url: "/v2/kubernetes/clusters?per_page=200&page=2", authorization: "Bearer do-token" },
      { url: "/v2/kubernetes/clusters/c-3/kubeconfig?expiry_seconds=14400", authorization: "Bearer do-token" },
    ]);
  });

  test("the names follow components/cluster.ts: generation 1 keeps the original name", () => {
    assert.equal(digitalOceanClusterName("prod", 1), "loco-prod-cluster");
    assert.equal(digitalOceanClusterName("dev", 7), "loco-dev-cluster-g7");
  });

  test("a missing cluster, one not running, a refused token: each one line, never the token", async () => {
    const absent = digitalOceanClusterAccess({ token: "do-token", apiUrl: "https://do.test", fetch: fakeDigitalOcean("").fetch });
    await assert.rejects(absent.target("prod", 9), (error: Error) => {
      assert.ok(error instanceof ClusterAccessError);
      assert.equal(error.message, "DigitalOcean has no Kubernetes cluster named loco-prod-cluster-g9");
      return true;
    });
    const provisioning = digitalOceanClusterAccess({
      token: "x",
      apiUrl: "https://do.test",
      fetch: fakeDigitalOcean("", "provisioning").fetch,
    });
    await assert.rejects(
      provisioning.target("prod", 3),
      /^ClusterAccessError: DigitalOcean's cluster loco-prod-cluster-g3 is provisioning, not running$/,
    );
    const refused = digitalOceanClusterAccess({
      token: "do-secret-token",
      apiUrl: "https://do.test",
      fetch: async () => new Response("", { status: 401 }),
    });
    await assert.rejects(refused.target("prod", 3), (error: Error) => {
      assert.equal(
        error.message,
        "DigitalOcean's API answered the list of clusters with HTTP 401 (check DIGITALOCEAN_TOKEN and its scopes)",
      );
      return true;
    });
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { chartFootprint } from "../charts/chart";
import { harborChart, harborValues, type HarborValuesArgs } from "../charts/harbor";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import { requireUpstream, skipUnlessUpstream } from "./upstream";

const secrets = {
  admin: "loco-harbor-admin",
  secretKey: "loco-harbor-secret-key",
  core: "loco-harbor-core",
  jobservice: "loco-harbor-jobservice",
  registryHttp: "loco-harbor-registry-http",
  registryCredentials: "loco-harbor-registry-credentials",
};

const cloud: HarborValuesArgs = {
  externalUrl: "https://registry.example.com",
  replicas: 2,
  imageStorage: {
    kind: "s3",
    bucket: "loco-prod-registry-abc123",
    region: "nyc3",
    endpoint: "https://nyc3.digitaloceanspaces.com",
    credentialsSecret: "loco-harbor-spaces",
    credentialsVersion: "g3",
  },
  database: {
    kind: "external",
    host: "db.internal",
    port: 25060,
    user: "harbor",
    database: "harbor",
    passwordSecret: "loco-harbor-database",
    maxOpenConnections: 20,
  },
  secrets,
  registryUser: "harbor_registry_user",
  trivyStorage: "5Gi",
};
const local: HarborValuesArgs = {
  ...cloud,
  replicas: 1,
  imageStorage: { kind: "filesystem", size: "20Gi" },
  database: { kind: "internal", size: "5Gi" },
};

/** Keys whose contents are free-form Kubernetes objects (upstream: `{}` or `[]`), so they are compared as one leaf. */
const opaqueKeys = new Set(["nodeSelector", "tolerations", "affinity", "podAnnotations"]);

/** Every leaf path of a values object ("a.b.c"), arrays and free-form objects as leaves. */
function leafPaths(value: unknown, prefix = ""): string[] {
  if (value && typeof value === "object" && !Array.isArray(value) && !opaqueKeys.has(prefix.split(".").pop() ?? "")) {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/**
 * Keys the chart reads that its values.yaml only shows commented out (so they are absent from the parsed file):
 * every component's `resources`, and the S3 driver options beyond region and bucket.
 */
const commentedUpstreamKeys = [
  /^(nginx|portal|core|jobservice|trivy|exporter)\.resources\./,
  /^registry\.(registry|controller)\.resources\./,
  /^(redis|database)\.internal\.resources\./,
  /^persistence\.imageChartStorage\.s3\.(existingSecret|regionendpoint|secure|v4auth|rootdirectory)$/,
];

describe("Harbor chart values", () => {
  test("no secret value anywhere: every secret is the name of an existing Secret", () => {
    const values = harborValues(cloud);
    const text = JSON.stringify(values);
    assert.ok(!/Harbor12345|not-a-secure-key|changeit|harbor_registry_password/.test(text), "a chart default secret survived");
    assert.equal(values.existingSecretAdminPassword, "loco-harbor-admin");
    assert.equal(values.existingSecretSecretKey, "loco-harbor-secret-key");
    assert.deepEqual((values.registry as { credentials: unknown }).credentials, {
      username: "harbor_registry_user",
      existingSecret: "loco-harbor-registry-credentials",
    });
    assert.equal(
      (values.persistence as { imageChartStorage: { s3: { existingSecret: string } } }).imageChartStorage.s3.existingSecret,
      "loco-harbor-spaces",
    );
  });

  test("exposed as a plain-HTTP ClusterIP service behind the Gateway, at the public URL", () => {
    const values = harborValues(cloud);
    assert.deepEqual(values.expose, { type: "clusterIP", tls: { enabled: false }, clusterIP: { name: "harbor", ports: { httpPort: 80 } } });
    assert.equal(values.externalURL, "https://registry.example.com");
  });

  test("dev/prod: blobs on Spaces, the managed database over TLS with a bounded pool, Redis and Trivy in-cluster", () => {
    const values = harborValues(cloud) as Record<string, Record<string, unknown>>;
    const storage = values.persistence.imageChartStorage as { type: string; s3: Record<string, unknown> };
    assert.equal(storage.type, "s3");
    assert.equal(storage.s3.regionendpoint, "https://nyc3.digitaloceanspaces.com");
    assert.equal(values.database.type, "external");
    assert.equal((values.database.external as { sslmode: string }).sslmode, "require");
    assert.equal(values.database.maxOpenConns, 20);
    assert.equal(values.redis.type, "internal");
    assert.equal(values.trivy.enabled, true);
    assert.equal((values.persistence.persistentVolumeClaim as Record<string, unknown>).registry, undefined, "no volume for blobs");
  });

  test("a new Spaces key rolls the registry (it reads the key at start); local has no such annotation", () => {
    const annotations = (args: HarborValuesArgs) => (harborValues(args) as Record<string, Record<string, unknown>>).registry.podAnnotations;
    assert.deepEqual(annotations(cloud), { "loco.dev/storage-key-generation": "g3" });
    assert.deepEqual(
      annotations({ ...cloud, imageStorage: { ...cloud.imageStorage, credentialsVersion: "g4" } as HarborValuesArgs["imageStorage"] }),
      {
        "loco.dev/storage-key-generation": "g4",
      },
    );
    assert.equal(annotations(local), undefined);
  });

  test("local: blobs on a volume (one registry pod, replaced not rolled), the chart's own database", () => {
    const values = harborValues(local) as Record<string, Record<string, unknown>>;
    assert.deepEqual(values.persistence.imageChartStorage, { type: "filesystem", filesystem: { rootdirectory: "/storage" } });
    assert.deepEqual((values.persistence.persistentVolumeClaim as Record<string, unknown>).registry, { size: "20Gi" });
    assert.deepEqual(values.updateStrategy, { type: "Recreate" });
    assert.equal(values.database.type, "internal");
  });

  test("every workload is placed on the core pool", () => {
    const values = harborValues(cloud) as Record<string, Record<string, unknown>>;
    const placed = [
      values.nginx,
      values.portal,
      values.core,
      values.jobservice,
      values.registry,
      values.trivy,
      values.redis.internal as Record<string, unknown>,
    ];
    for (const component of placed) {
      assert.deepEqual(
        { nodeSelector: component.nodeSelector, tolerations: component.tolerations, affinity: component.affinity },
        expectedCorePoolPlacement,
      );
    }
  });

  test("the plan sizes every Harbor workload, each with requests; nginx, Redis and volumes only where they run", () => {
    const cloudFootprint = chartFootprint(harborChart, harborValues(cloud), 3);
    assert.deepEqual(cloudFootprint.withoutRequests, []);
    // nginx, core, portal: 2 replicas; jobservice, trivy, redis: 1; registry + registryctl: 2.
    assert.equal(cloudFootprint.cpuMillicores, 2 * 50 + 2 * 100 + 2 * 10 + 50 + 2 * 100 + 2 * 20 + 200 + 50);
    assert.equal(cloudFootprint.storageGiB, 5 + 1, "Trivy's cache and Redis");
    const localFootprint = chartFootprint(harborChart, harborValues(local), 1);
    assert.equal(localFootprint.storageGiB, 5 + 1 + 20 + 5, "plus blobs and the database");
    const routed = chartFootprint(harborChart, { ...harborValues(cloud), expose: { type: "route" } }, 3);
    assert.equal(cloudFootprint.cpuMillicores - routed.cpuMillicores, 2 * 50, "no nginx behind a Gateway route");
  });

  test(
    "every key set exists in the pinned chart's values.yaml (a misspelt key would be silently ignored)",
    { skip: skipUnlessUpstream("charts", "harbor", "values.yaml") },
    () => {
      const upstream = parse(readFileSync(requireUpstream("charts", "harbor", "values.yaml"), "utf8")) as Record<string, unknown>;
      const known = new Set(leafPaths(upstream));
      const knownPrefixes = new Set([...known].flatMap((p) => p.split(".").map((_, i, parts) => parts.slice(0, i + 1).join("."))));
      const unknown = [...leafPaths(harborValues(cloud)), ...leafPaths(harborValues(local))].filter(
        (path) => !known.has(path) && !knownPrefixes.has(path) && !commentedUpstreamKeys.some((pattern) => pattern.test(path)),
      );
      assert.deepEqual([...new Set(unknown)], []);
    },
  );
});

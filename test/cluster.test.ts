import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { Cluster, clusterName, execCredentialKubeconfig, releaseOfMinor, type ClusterArgs } from "../components/cluster";
import { corePoolPlacement } from "../lib/core-pool";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import { outputIsSecret, runComponents, secretValue, valueOf } from "./harness";

const clusterType = "digitalocean:index/kubernetesCluster:KubernetesCluster";
const poolType = "digitalocean:index/kubernetesNodePool:KubernetesNodePool";

const args = (patch: Partial<ClusterArgs> = {}): ClusterArgs => ({
  region: "nyc3",
  kubernetesVersion: "1.35",
  generation: 1,
  highAvailability: true,
  corePool: { size: "s-2vcpu-4gb", nodeCount: 3 },
  appPools: [{ name: "apps", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 10 }],
  autoUpgrade: true,
  maintenance: { day: "sunday", startTime: "04:00" },
  protect: true,
  tags: ["loco", "loco-test"],
  clusterAccessToken: pulumi.secret("dop_v1_cluster_access"),
  ...patch,
});

const build = (patch: Partial<ClusterArgs> = {}) =>
  runComponents(() => {
    const provider = new digitalocean.Provider("do", { token: "test" });
    return new Cluster("loco-test", args(patch), { providers: [provider] });
  });

describe("Cluster", () => {
  test("prod cluster and its VPC are protected", async () => {
    const registered = await build({ protect: true });
    assert.equal(registered.one(clusterType).protect, true);
    assert.equal(registered.one("digitalocean:index/vpc:Vpc").protect, true);
  });

  test("a dev cluster is not protected", async () => {
    const registered = await build({ protect: false });
    assert.equal(registered.one(clusterType).protect, false);
  });

  test("the cluster is in the VPC, HA, with surge and auto upgrades in the maintenance window", async () => {
    const registered = await build();
    const cluster = registered.one(clusterType);
    assert.equal(cluster.inputs.ha, true);
    assert.equal(cluster.inputs.surgeUpgrade, true);
    assert.equal(cluster.inputs.autoUpgrade, true);
    assert.deepEqual(cluster.inputs.maintenancePolicy, { day: "sunday", startTime: "04:00" });
    assert.ok(registered.waitsFor(cluster, registered.one("digitalocean:index/vpc:Vpc")), "cluster must wait for its VPC");
  });

  test("the cluster starts at DigitalOcean's newest release of the configured minor version", async () => {
    const cluster = (await build({ kubernetesVersion: "1.35" })).one(clusterType);
    // The offline placeholder of getKubernetesVersions answers "<prefix><marker>" for the prefix it was asked.
    assert.equal(cluster.inputs.version, "1.35.offline-placeholder");
  });

  test("while auto-upgrade owns the version, a refresh that records a newer patch release plans no change", async () => {
    const upgraded = (await build({ autoUpgrade: true })).one(clusterType);
    assert.ok(upgraded.ignoreChanges.includes("version"), "the version must be ignored while DigitalOcean upgrades the cluster");
    const pinned = (await build({ autoUpgrade: false })).one(clusterType);
    assert.ok(!pinned.ignoreChanges.includes("version"), "without auto-upgrade the config's minor version is applied");
  });

  test("a minor version DigitalOcean does not offer fails naming the setting", () => {
    assert.throws(() => releaseOfMinor("1.99", { latestVersion: "", validVersions: [] }), /loco:cluster\.kubernetesVersion "1\.99"/);
    assert.equal(releaseOfMinor("1.35", { latestVersion: "1.35.2-do.1", validVersions: ["1.35.2-do.1"] }), "1.35.2-do.1");
  });

  test("the generation names the cluster: generation 1 keeps the name clusters always had, later ones add -g<n>", () => {
    assert.equal(clusterName("loco-prod", 1), "loco-prod");
    assert.equal(clusterName("loco-prod", 2), "loco-prod-g2");
    assert.equal(clusterName("loco-prod", 17), "loco-prod-g17");
  });

  test("a new generation is a new cluster created beside the old one, not a rename of the dead one", async () => {
    const first = (await build({ generation: 1 })).one(clusterType);
    const second = (await build({ generation: 2 })).one(clusterType);
    assert.equal(first.inputs.name, "loco-test");
    assert.equal(second.inputs.name, "loco-test-g2");
    // DigitalOcean renames a cluster in place; replaceOnChanges turns a new name into create-new-then-delete-old.
    assert.ok(second.replaceOnChanges.includes("name"));
    assert.equal(second.deleteBeforeReplace, false, "the old cluster must stay until the new one exists");
    assert.equal(second.urn, first.urn, "same resource, replaced: the old cluster is deleted at the end of the run");
  });

  test("the control-plane firewall is on only when CIDRs are configured", async () => {
    const open = await build();
    assert.equal(open.one(clusterType).inputs.controlPlaneFirewall, undefined);
    const closed = await build({ controlPlaneAllowedCidrs: ["198.51.100.0/24"] });
    assert.deepEqual(closed.one(clusterType).inputs.controlPlaneFirewall, { enabled: true, allowedAddresses: ["198.51.100.0/24"] });
  });

  test("the built-in pool is the core pool: fixed size, labelled and tainted for platform add-ons only", async () => {
    const registered = await build();
    const nodePool = registered.one(clusterType).inputs.nodePool as Record<string, unknown>;
    assert.equal(nodePool.autoScale, false);
    assert.equal(nodePool.nodeCount, 3);
    assert.deepEqual(nodePool.labels, { "loco.dev/pool": "core" });
    assert.deepEqual(nodePool.taints, [{ key: "loco.dev/pool", value: "core", effect: "NoSchedule" }]);
  });

  test("add-on placement tolerates exactly the core pool's taint and requires its label", () => {
    assert.deepEqual(corePoolPlacement(), expectedCorePoolPlacement);
  });

  test("app pools autoscale between min and max and leave the node count to the autoscaler", async () => {
    const registered = await build();
    const appPool = registered.one(poolType);
    assert.equal(appPool.inputs.autoScale, true);
    assert.equal(appPool.inputs.minNodes, 2);
    assert.equal(appPool.inputs.maxNodes, 10);
    assert.equal(appPool.inputs.nodeCount, undefined);
    assert.deepEqual(appPool.ignoreChanges, ["nodeCount"]);
    assert.ok(registered.waitsFor(appPool, registered.one(clusterType)));
  });

  test("changing an app pool never replaces the cluster: the cluster's inputs do not change", async () => {
    const before = await build();
    const after = await build({
      appPools: [
        { name: "apps", size: "s-8vcpu-16gb", minNodes: 3, maxNodes: 20 },
        { name: "batch", size: "c-4", minNodes: 1, maxNodes: 4 },
      ],
    });
    assert.deepEqual(after.one(clusterType).inputs, before.one(clusterType).inputs);
    assert.equal(after.ofType(poolType).length, 2);
  });

  test("a resized pool gets a new name, so its replacement is created before the old pool is drained", async () => {
    const before = await build();
    const after = await build({ appPools: [{ name: "apps", size: "s-8vcpu-16gb", minNodes: 2, maxNodes: 10 }] });
    assert.notEqual(after.one(poolType).inputs.name, before.one(poolType).inputs.name);
  });

  test("the kubeconfig is a secret that authenticates through doctl and holds no token of its own", async () => {
    const registered = await build();
    const cluster = registered.result;
    assert.equal(await outputIsSecret(cluster.kubeconfig), true);
    const kubeconfig = JSON.parse(await valueOf(cluster.kubeconfig));
    const user = kubeconfig.users[0].user;
    assert.equal(user.token, undefined);
    assert.equal(user.exec.command, "doctl");
    assert.deepEqual(user.exec.args.slice(0, 4), ["kubernetes", "cluster", "kubeconfig", "exec-credential"]);
    assert.equal(kubeconfig.clusters[0].cluster.server, await valueOf(cluster.endpoint));
  });

  test("the exec credential carries the stack's token, not the operator's doctl login", () => {
    const kubeconfig = JSON.parse(
      execCredentialKubeconfig({
        clusterId: "abc",
        clusterName: "loco-dev",
        endpoint: "https://x",
        caCertificateBase64: "Q0E=",
        token: "dop_v1_x",
      }),
    );
    assert.deepEqual(kubeconfig.users[0].user.exec.env, [{ name: "DIGITALOCEAN_ACCESS_TOKEN", value: "dop_v1_x" }]);
    assert.equal(kubeconfig["current-context"], "loco-dev");
  });

  test("the kubeconfig carries the least-privilege cluster access token, never the account-wide one", async () => {
    const registered = await build();
    const kubeconfig = JSON.parse(await valueOf(registered.result.kubeconfig));
    assert.deepEqual(kubeconfig.users[0].user.exec.env, [{ name: "DIGITALOCEAN_ACCESS_TOKEN", value: "dop_v1_cluster_access" }]);
    // The provider's token (read/write on the account) stays with the provider.
    assert.equal(secretValue(registered.one("pulumi:providers:digitalocean").inputs.token), "test");
    assert.doesNotMatch(JSON.stringify(kubeconfig), /"test"/);
    assert.doesNotMatch(JSON.stringify(registered.one(clusterType).inputs), /dop_v1_cluster_access/);
  });

  for (const [why, patch, field] of [
    ["no app pool", { appPools: [] }, "appPools"],
    ["minNodes 0", { appPools: [{ name: "apps", size: "s-2vcpu-4gb", minNodes: 0, maxNodes: 2 }] }, "appPools[0].minNodes"],
    ["max below min", { appPools: [{ name: "apps", size: "s-2vcpu-4gb", minNodes: 3, maxNodes: 2 }] }, "appPools[0].maxNodes"],
  ] as const) {
    test(`direct use with ${why} fails naming ${field}`, async () => {
      await assert.rejects(build(patch as Partial<ClusterArgs>), (error: Error) => error.message.includes(`Cluster loco-test: ${field}`));
    });
  }
});

test("secretValue refuses plaintext, so a secrecy assertion cannot pass by accident", () => {
  assert.throws(() => secretValue("plain"), /expected a secret/);
});

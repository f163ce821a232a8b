import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { kubernetesProviderArgs } from "../components/kubernetes-provider";
import { runUnderMocks } from "../plan/mock-runtime";
import { ConfigError } from "../stacks/config";
import { isSecret, projectDir, runStack, secretValue, withOverrides, type Registered } from "./harness";

const explicitProviderPackages = ["kubernetes", "digitalocean", "cloudflare"];

/**
 * A value that names where a credential is rather than holding it: an environment variable reference
 * (`$VAR`, `${env:VAR}`, expanded inside the pod from a Kubernetes Secret) or the name of a Secret object
 * (chart keys such as existingSecret or existingSecretAdminPassword).
 */
const isReference = (key: string, value: string) => /^\$(\{env:)?[A-Z_][A-Z0-9_]*\}?$/.test(value) || /existing\w*Secret/.test(key);

/** Paths of plaintext values in `inputs` that look like credentials by their key. */
function plaintextCredentials(value: unknown, path = ""): string[] {
  if (isSecret(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextCredentials(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => {
      const here = path ? `${path}.${k}` : k;
      const credentialKey =
        /(token|password|secret|kubeconfig|apiKey|privateKey)$/i.test(k) && typeof v === "string" && v !== "" && !isReference(k, v);
      return credentialKey ? [here] : plaintextCredentials(v, here);
    });
  }
  return [];
}

function checkProviders(registered: Registered): string[] {
  return registered.all
    .filter((r) => r.custom && explicitProviderPackages.includes(r.type.split(":")[0]))
    .filter((r) => !r.provider || !r.provider.includes("pulumi:providers:"))
    .map((r) => r.urn);
}

for (const stack of ["dev", "prod", "local", "resurrector-prod"]) {
  describe(`the ${stack} stack`, () => {
    test("no resource uses a default provider (kubernetes, digitalocean, cloudflare)", async () => {
      assert.deepEqual(checkProviders(await runStack(stack)), []);
    });

    test("every secret input is a secret", async () => {
      const registered = await runStack(stack);
      const leaks = registered.all.flatMap((r) => plaintextCredentials(r.inputs).map((path) => `${r.urn} ${path}`));
      assert.deepEqual(leaks, []);
    });

    // The resurrector runs outside every cluster: it has no Kubernetes provider of its own.
    if (!stack.startsWith("resurrector-")) {
      test("exactly one Kubernetes provider, and its kubeconfig is secret or absent", async () => {
        const registered = await runStack(stack);
        const provider = registered.one("pulumi:providers:kubernetes");
        if (provider.inputs.kubeconfig !== undefined) assert.ok(isSecret(provider.inputs.kubeconfig));
        assert.ok(provider.inputs.clusterIdentifier, "a cluster identifier decides when the provider (and every object) is replaced");
      });
    }
  });
}

describe("environment differences", () => {
  test("prod cluster is protected; dev cluster is not", async () => {
    const type = "digitalocean:index/kubernetesCluster:KubernetesCluster";
    assert.equal((await runStack("prod")).one(type).protect, true);
    assert.equal((await runStack("dev")).one(type).protect, false);
  });

  test("prod database of record is protected", async () => {
    assert.equal((await runStack("prod")).one("digitalocean:index/databaseCluster:DatabaseCluster").protect, true);
  });

  test("the DB firewall admits only the cluster the stack built", async () => {
    const registered = await runStack("prod");
    const cluster = registered.one("digitalocean:index/kubernetesCluster:KubernetesCluster");
    const firewall = registered.one("digitalocean:index/databaseFirewall:DatabaseFirewall");
    assert.deepEqual(firewall.inputs.rules, [{ type: "k8s", value: "offline-placeholder-loco-prod-cluster-cluster" }]);
    assert.ok(registered.waitsFor(firewall, cluster));
  });

  test("the local stack creates nothing on DigitalOcean or Cloudflare and targets the named context", async () => {
    const registered = await runStack("local");
    const cloud = registered.all.filter(
      (r) => /^(digitalocean|cloudflare):/.test(r.type) || /providers:(digitalocean|cloudflare)/.test(r.type),
    );
    assert.deepEqual(
      cloud.map((r) => r.type),
      [],
    );
    assert.equal(registered.one("pulumi:providers:kubernetes").inputs.context, "kind-loco");
  });

  test("the local stack's database connection comes from its secret URL and stays secret", async () => {
    const registered = await runStack("local", { "loco:databaseUrl": { secret: "postgresql://loco:pw@127.0.0.1:5432/loco" } });
    const database = secretValue(registered.stackOutputs.database) as { direct: { host: string } };
    assert.equal(database.direct.host, "127.0.0.1");
  });

  test("the database connection and DNS token stack outputs are secrets; no kubeconfig is exported", async () => {
    const outputs = (await runStack("dev")).stackOutputs;
    assert.ok(isSecret(outputs.database));
    assert.ok(isSecret(outputs.dnsSolverToken));
    // A kubeconfig holds a credential; operators get their own with `doctl kubernetes cluster kubeconfig save`.
    assert.deepEqual(
      Object.keys(outputs).filter((key) => /kubeconfig/i.test(key)),
      [],
    );
  });

  test("the cluster credential is the scoped cluster access token, not the account-wide DigitalOcean token", async () => {
    const registered = await runStack("dev", {
      "loco:digitaloceanToken": { secret: "dop_v1_account_wide" },
      "loco:clusterAccessToken": { secret: "dop_v1_kubernetes_access_cluster" },
    });
    const kubeconfig = String(secretValue(registered.one("pulumi:providers:kubernetes").inputs.kubeconfig));
    assert.match(kubeconfig, /dop_v1_kubernetes_access_cluster/);
    assert.doesNotMatch(kubeconfig, /dop_v1_account_wide/);
  });

  test("invalid config fails before any resource is registered", async () => {
    const config = withOverrides("prod", { "loco:database": { nodeCount: 1 } });
    const program = require(join(projectDir, "index.ts")) as () => Promise<unknown>;
    const run = await runUnderMocks(
      () =>
        program().then(
          () => undefined,
          (error: unknown) => error,
        ),
      { stack: "prod", config },
    );
    assert.ok(run.result instanceof ConfigError);
    assert.match(run.result.message, /at least 2 in prod/);
    assert.deepEqual(run.resources, []);
  });
});

describe("the Kubernetes provider seam", () => {
  test("DOKS: identity is the cluster id; objects of an unreachable cluster are kept unless a rebuild says otherwise", () => {
    const args = kubernetesProviderArgs({ kind: "doks", kubeconfig: "{}", clusterId: "c-1", deleteUnreachable: false });
    assert.equal(args.clusterIdentifier, "c-1");
    // Absent rather than false: a provider kept in state for a lost cluster then follows PULUMI_K8S_DELETE_UNREACHABLE.
    assert.equal(args.deleteUnreachable, undefined);
    assert.equal(args.context, undefined);
    const rebuild = kubernetesProviderArgs({ kind: "doks", kubeconfig: "{}", clusterId: "c-1", deleteUnreachable: true });
    assert.equal(rebuild.deleteUnreachable, true);
  });

  test("a refresh of the committed stacks never forgets the objects of a cluster it cannot reach", async () => {
    for (const stack of ["dev", "prod", "local"]) {
      const provider = (await runStack(stack)).one("pulumi:providers:kubernetes");
      assert.equal(provider.inputs.deleteUnreachable, undefined, stack);
    }
  });

  test("local: an explicit context, never the current one", () => {
    const args = kubernetesProviderArgs({ kind: "context", context: "k3d-loco", deleteUnreachable: false });
    assert.equal(args.context, "k3d-loco");
    assert.equal(args.kubeconfig, undefined);
  });

  test("default providers are disabled for the whole project in Pulumi.yaml", () => {
    const project = parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { config: Record<string, { value: string[] }> };
    assert.deepEqual([...project.config["pulumi:disable-default-providers"].value].sort(), [...explicitProviderPackages].sort());
  });
});

/**
 * loco's control plane under Pulumi's mocks, read the way a reviewer reads a preview: what runs where, in which
 * order, with which rights, and where every secret goes.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocoControlPlane, validateLocoControlPlaneArgs, type LocoControlPlaneArgs } from "../components/loco-control-plane";
import { corePoolPlacement } from "../lib/core-pool";
import { platformRoutesLabel } from "../lib/shared-gateway";
import type { SigningKeySet } from "../lib/signing-key-set";
import { isSecret, runComponents, secretValue, valueOf, type RecordedResource, type Registered } from "./harness";

const secrets = {
  databasePassword: "db-pass-7f3k",
  clientSecret: "gh-client-secret-9q2",
  builderPassword: "builder-robot-secret-x1",
  pullerPassword: "pull-robot-secret-y2",
};

const connection = (password: string) => {
  const endpoint = (host: string, port: number, database: string) => ({
    host,
    port,
    database,
    user: "loco_api",
    password,
    sslmode: "require" as const,
    uri: `postgresql://loco_api:${password}@${host}:${port}/${database}?sslmode=require`,
  });
  return { pooled: endpoint("pool.db.internal", 25061, "loco-api"), direct: endpoint("db.internal", 25060, "loco") };
};

const args = (patch: Partial<LocoControlPlaneArgs> = {}): LocoControlPlaneArgs => ({
  images: {
    api: { repository: "ghcr.io/team-loco/loco-api", tag: "sha-abc" },
    ui: { repository: "ghcr.io/team-loco/loco-ui", tag: "sha-abc" },
    controller: { repository: "ghcr.io/team-loco/loco-controller", tag: "sha-abc", digest: `sha256:${"a".repeat(64)}` },
  },
  api: { replicas: 2, cpu: "200m", memory: "512Mi" },
  ui: { replicas: 2, cpu: "50m", memory: "128Mi" },
  controller: { replicas: 2, cpu: "50m", memory: "128Mi" },
  disruptionBudgets: true,
  hosts: { baseDomain: "loco.example.com", webApp: "loco.example.com", api: "api.loco.example.com" },
  database: { connection: pulumi.secret(connection(secrets.databasePassword)) },
  registry: {
    url: "https://registry.loco.example.com",
    host: "registry.loco.example.com",
    project: "tenants",
    repositoryPrefix: "registry.loco.example.com/tenants",
    builder: pulumi.secret({ username: "robot$tenants+builder-1", password: secrets.builderPassword, expiresAt: -1 }),
    puller: pulumi.secret({ username: "robot$tenants+cluster-pull-1", password: secrets.pullerPassword, expiresAt: -1 }),
    pullSecretDockerConfigJson: pulumi.secret(`{"auths":{"registry.loco.example.com":{"password":"${secrets.pullerPassword}"}}}`),
  },
  githubOAuth: { clientId: pulumi.secret("gh-client-id"), clientSecret: pulumi.secret(secrets.clientSecret) },
  telemetry: { otlpGrpcEndpoint: "http://otel-gateway.loco-observability.svc.cluster.local:4317", environment: "prod" },
  logLevel: "info",
  routesReady: [],
  ...patch,
});

/** Builds the control plane with a stand-in for the traffic layer's Gateway. */
const build = (patch: Partial<LocoControlPlaneArgs> = {}) =>
  runComponents(() => {
    const provider = new k8s.Provider("k8s", { context: "test" });
    const gateway = new k8s.core.v1.ConfigMap("stand-in-gateway", { metadata: { name: "gateway" } }, { provider });
    return new LocoControlPlane("loco-prod-control-plane", args({ routesReady: [gateway], ...patch }), { providers: [provider] });
  });

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const metadata = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
const named = (registered: Registered, type: string, name: string) => {
  const found = registered.ofType(type).filter((r) => metadata(r).name === name);
  assert.equal(found.length, 1, `one ${type} named ${name}`);
  return found[0];
};
const deployment = (registered: Registered, name: string) => named(registered, "kubernetes:apps/v1:Deployment", name);
const podSpec = (r: RecordedResource) => (r.inputs.spec as Any).template.spec as Any;
const container = (r: RecordedResource) => podSpec(r).containers[0] as Any;
const env = (r: RecordedResource) => new Map((container(r).env as Any[]).map((e) => [e.name as string, e]));
const plainEnv = (r: RecordedResource, name: string) => {
  const entry = env(r).get(name);
  assert.ok(entry && typeof entry.value === "string", `${name} is a plain value`);
  return entry.value as string;
};
const secretOf = (registered: Registered, name: string) =>
  secretValue(named(registered, "kubernetes:core/v1:Secret", name).inputs.stringData) as Record<string, string>;

describe("LocoControlPlane: order", () => {
  test("the Application CRD, then the controller, then the API: nothing writes an Application before both exist", async () => {
    const registered = await build();
    const crd = registered.one("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    const controller = deployment(registered, "loco-controller");
    const api = deployment(registered, "loco-api");
    assert.ok(registered.waitsFor(controller, crd), "controller waits for the CRD");
    assert.ok(registered.waitsFor(api, controller), "API waits for the controller");
    assert.ok(registered.waitsFor(api, crd), "API waits for the CRD");
    assert.ok(!registered.waitsFor(controller, api), "and not the other way round");
  });

  test("ready names the CRD and both Deployments, and is built from their outputs", async () => {
    const { result } = await build();
    assert.deepEqual(await valueOf(result.ready), {
      applicationCrd: "applications.infra.loco.io",
      controller: "loco-system/loco-controller",
      api: "loco-system/loco-api",
    });
    assert.equal(result.readyResources.length, 3);
  });

  test("the CRD outlives its removal from the program: deleting it would delete every tenant's Application", async () => {
    const crd = (await build()).one("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
    assert.equal(crd.retainOnDelete, true);
    assert.equal(metadata(crd).name, "applications.infra.loco.io");
  });

  test("routes wait for the shared Gateway", async () => {
    const registered = await build();
    const gateway = registered.one("kubernetes:core/v1:ConfigMap");
    for (const route of registered.ofType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")) {
      assert.ok(registered.waitsFor(route, gateway), metadata(route).name);
    }
  });
});

describe("LocoControlPlane: configuration wired from the platform", () => {
  test("the API is told its namespace, domains, registry and telemetry endpoint", async () => {
    const registered = await build();
    const api = deployment(registered, "loco-api");
    assert.equal(metadata(api).namespace, "loco-system");
    assert.equal(plainEnv(api, "LOCO_NAMESPACE"), "loco-system");
    assert.equal(plainEnv(api, "LOCO_DOMAIN_BASE"), "loco.example.com");
    assert.equal(plainEnv(api, "LOCO_DOMAIN_API"), "api.loco.example.com");
    assert.equal(plainEnv(api, "GITLAB_URL"), "https://registry.loco.example.com");
    assert.equal(plainEnv(api, "GITLAB_REGISTRY_URL"), "registry.loco.example.com");
    assert.equal(plainEnv(api, "GITLAB_PROJECT_ID"), "tenants");
    assert.equal(plainEnv(api, "REGISTRY_TAG"), "registry.loco.example.com/tenants");
    assert.equal(plainEnv(api, "OTEL_EXPORTER_OTLP_ENDPOINT"), "http://otel-gateway.loco-observability.svc.cluster.local:4317");
    assert.equal(plainEnv(api, "APP_ENV"), "PRODUCTION");
    assert.equal(plainEnv(api, "LOG_LEVEL"), "0");
  });

  test("the controller gets the registry settings it refuses to start without, and its namespace", async () => {
    const controller = deployment(await build(), "loco-controller");
    assert.equal(plainEnv(controller, "LOCO_NAMESPACE"), "loco-system");
    assert.equal(plainEnv(controller, "GITLAB_URL"), "https://registry.loco.example.com");
    assert.equal(plainEnv(controller, "GITLAB_REGISTRY_URL"), "registry.loco.example.com");
    assert.equal(plainEnv(controller, "GITLAB_PROJECT_ID"), "tenants");
    assert.deepEqual(env(controller).get("GITLAB_PAT")?.valueFrom, { secretKeyRef: { name: "loco-controller-env", key: "GITLAB_PAT" } });
  });

  test("the API's database is loco's own user through the pool, with pgx told not to cache prepared statements", async () => {
    const data = secretOf(await build(), "loco-api-env");
    assert.equal(
      data.DATABASE_URL,
      `postgresql://loco_api:${secrets.databasePassword}@pool.db.internal:25061/loco-api?sslmode=require&default_query_exec_mode=exec`,
    );
  });

  test("the API holds the builder robot, the controller only the pull robot", async () => {
    const registered = await build();
    const api = secretOf(registered, "loco-api-env");
    assert.equal(api.GITLAB_PAT, secrets.builderPassword);
    assert.equal(api.GITLAB_DEPLOY_TOKEN_NAME, "robot$tenants+builder-1");
    assert.equal(api.GH_OAUTH_CLIENT_SECRET, secrets.clientSecret);
    assert.deepEqual(secretOf(registered, "loco-controller-env"), { GITLAB_PAT: secrets.pullerPassword });
    const pull = named(registered, "kubernetes:core/v1:Secret", "loco-registry-pull");
    assert.equal(pull.inputs.type, "kubernetes.io/dockerconfigjson");
  });
});

describe("LocoControlPlane: secrets", () => {
  test("every secret variable comes from a Secret the component creates, by secretKeyRef to a key it holds", async () => {
    const registered = await build();
    const secretVariables = ["DATABASE_URL", "GH_OAUTH_CLIENT_ID", "GH_OAUTH_CLIENT_SECRET", "GITLAB_PAT", "GITLAB_TOKEN_NAME"];
    for (const name of ["loco-api", "loco-controller"]) {
      for (const [variable, entry] of env(deployment(registered, name))) {
        if (entry.value !== undefined) {
          assert.ok(!secretVariables.includes(variable), `${name} ${variable} must not be a plain value`);
          continue;
        }
        const ref = entry.valueFrom.secretKeyRef as { name: string; key: string };
        const holder = named(registered, "kubernetes:core/v1:Secret", ref.name);
        assert.ok(isSecret(holder.inputs.stringData), `${ref.name} content is secret`);
        assert.ok(ref.key in (secretValue(holder.inputs.stringData) as object), `${ref.name} holds ${ref.key}`);
      }
    }
  });

  test("no secret value appears anywhere in plain inputs", async () => {
    const registered = await build({
      signingKeys: pulumi.secret(signingKeySet("k2", "k1")),
    });
    const plain = JSON.stringify(
      registered.all.map((r) => JSON.parse(JSON.stringify(r.inputs, (_k, v) => (isSecret(v) ? "[secret]" : v)))),
    );
    for (const value of [...Object.values(secrets), "PRIVATE KEY"]) assert.ok(!plain.includes(value), `${value} leaked into a plain input`);
  });

  test("a changed credential rolls the API's pods; the controller's stay", async () => {
    const annotations = async (password: string) => {
      const registered = await build({ database: { connection: pulumi.secret(connection(password)) } });
      const annotation = (name: string) =>
        (deployment(registered, name).inputs.spec as Any).template.metadata.annotations["loco.dev/secret-checksum"];
      return { api: annotation("loco-api") as string, controller: annotation("loco-controller") as string };
    };
    const before = await annotations("first-password");
    const after = await annotations("second-password");
    assert.match(before.api, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(after.api, before.api);
    assert.equal(after.controller, before.controller);
  });

  test("the signing key set is mounted as files and left out of the checksum, so a rotation reloads without a restart", async () => {
    const build2 = (set: SigningKeySet) => build({ signingKeys: pulumi.secret(set) });
    const first = await build2(signingKeySet("k1"));
    const second = await build2(signingKeySet("k2", "k1"));
    const api = deployment(first, "loco-api");
    assert.deepEqual(podSpec(api).volumes, [{ name: "signing-keys", secret: { secretName: "loco-api-signing-keys" } }]);
    assert.deepEqual(container(api).volumeMounts, [
      { name: "signing-keys", mountPath: "/var/run/secrets/loco/signing-keys", readOnly: true },
    ]);
    assert.equal(plainEnv(api, "LOCO_SIGNING_KEYS_DIR"), "/var/run/secrets/loco/signing-keys");
    const checksum = (r: Registered) =>
      (deployment(r, "loco-api").inputs.spec as Any).template.metadata.annotations["loco.dev/secret-checksum"];
    assert.equal(checksum(second), checksum(first));
    const files = secretOf(second, "loco-api-signing-keys");
    assert.equal(files["current.kid"], "k2");
    assert.deepEqual(
      (JSON.parse(files["jwks.json"]) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
      ["k2", "k1"],
    );
  });

  test("without a signing key set nothing is mounted", async () => {
    const api = deployment(await build(), "loco-api");
    assert.equal(podSpec(api).volumes, undefined);
    assert.equal(env(api).has("LOCO_SIGNING_KEYS_DIR"), false);
  });
});

describe("LocoControlPlane: least privilege", () => {
  const rules = (registered: Registered) =>
    [
      ...registered.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"),
      ...registered.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role"),
    ].map((r) => ({ role: `${r.inputs.kind ?? r.type.split(":").pop()} ${metadata(r).name}`, rules: r.inputs.rules as Any[] }));

  test("no rule has a wildcard verb, resource or group", async () => {
    for (const { role, rules: list } of rules(await build())) {
      for (const rule of list) {
        for (const field of ["apiGroups", "resources", "verbs"]) assert.ok(!rule[field].includes("*"), `${role} has * in ${field}`);
      }
    }
  });

  test("only the API's and the controller's service accounts are bound to anything, each to its own roles", async () => {
    const registered = await build();
    const bindings = [
      ...registered.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"),
      ...registered.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"),
    ];
    assert.equal(bindings.length, 4);
    for (const binding of bindings) {
      const subjects = binding.inputs.subjects as { kind: string; name: string; namespace: string }[];
      assert.equal(subjects.length, 1);
      assert.ok(["loco-api", "loco-controller"].includes(subjects[0].name), subjects[0].name);
      assert.equal(subjects[0].namespace, "loco-system");
      assert.equal((binding.inputs.roleRef as { name: string }).name, subjects[0].name, "bound to the roles named after it");
    }
  });

  test("only the controller creates or deletes namespaces; the API writes Applications in loco's namespace only", async () => {
    const registered = await build();
    const manages = (r: RecordedResource, resource: string, verb: string) =>
      (r.inputs.rules as Any[]).some((rule) => rule.resources.includes(resource) && rule.verbs.includes(verb));
    const clusterRoles = registered.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
    assert.deepEqual(
      clusterRoles.filter((r) => manages(r, "namespaces", "delete") || manages(r, "namespaces", "create")).map((r) => metadata(r).name),
      ["loco-controller"],
    );
    const apiClusterRole = clusterRoles.find((r) => metadata(r).name === "loco-api") as RecordedResource;
    for (const verb of ["create", "update", "patch", "delete"])
      assert.ok(!manages(apiClusterRole, "applications", verb), `API may not ${verb} anywhere`);
    const apiRole = named(registered, "kubernetes:rbac.authorization.k8s.io/v1:Role", "loco-api");
    assert.equal(metadata(apiRole).namespace, "loco-system");
    assert.deepEqual(apiRole.inputs.rules, [
      { apiGroups: ["infra.loco.io"], resources: ["applications"], verbs: ["create", "update", "delete"] },
    ]);
  });

  test("the UI has no Kubernetes credentials at all", async () => {
    const registered = await build();
    const ui = deployment(registered, "loco-ui");
    assert.equal(podSpec(ui).automountServiceAccountToken, false);
    assert.equal(podSpec(ui).serviceAccountName, "loco-ui");
    assert.equal(named(registered, "kubernetes:core/v1:ServiceAccount", "loco-ui").inputs.automountServiceAccountToken, false);
  });
});

describe("LocoControlPlane: how it runs", () => {
  test("every workload is on the core pool, pinned, probed, sized and unprivileged", async () => {
    const registered = await build();
    const placement = corePoolPlacement();
    const expectedImages: Record<string, string> = {
      "loco-api": "ghcr.io/team-loco/loco-api:sha-abc",
      "loco-ui": "ghcr.io/team-loco/loco-ui:sha-abc",
      "loco-controller": `ghcr.io/team-loco/loco-controller:sha-abc@sha256:${"a".repeat(64)}`,
    };
    for (const [name, image] of Object.entries(expectedImages)) {
      const workload = deployment(registered, name);
      const spec = podSpec(workload);
      const main = container(workload);
      assert.deepEqual(spec.nodeSelector, placement.nodeSelector, name);
      assert.deepEqual(spec.tolerations, placement.tolerations, name);
      assert.equal(main.image, image);
      assert.ok(main.readinessProbe?.httpGet, `${name} readiness probe`);
      assert.ok(main.livenessProbe?.httpGet, `${name} liveness probe`);
      assert.ok(main.resources.requests.cpu && main.resources.requests.memory, `${name} requests`);
      assert.equal(main.resources.limits.memory, main.resources.requests.memory);
      assert.equal(spec.securityContext.runAsNonRoot, true);
      assert.equal(main.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(main.securityContext.capabilities, { drop: ["ALL"] });
      assert.equal((workload.inputs.spec as Any).replicas, 2);
    }
  });

  test("loco's namespace enforces the restricted Pod Security Standard and admits routes on platform listeners", async () => {
    const namespace = named(await build(), "kubernetes:core/v1:Namespace", "loco-system");
    assert.equal(metadata(namespace).labels?.["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(metadata(namespace).labels?.[platformRoutesLabel.key], platformRoutesLabel.value);
  });

  test("the API at api.{baseDomain} and the UI at the web app host, each on its own listener", async () => {
    const registered = await build({
      hosts: { baseDomain: "loco.example.com", webApp: "app.loco.example.com", api: "api.loco.example.com" },
    });
    const route = (name: string) => named(registered, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", name).inputs.spec as Any;
    assert.deepEqual(route("loco-api").hostnames, ["api.loco.example.com"]);
    assert.equal(route("loco-api").parentRefs[0].sectionName, "https-api");
    assert.deepEqual(route("loco-ui").hostnames, ["app.loco.example.com"]);
    assert.equal(route("loco-ui").parentRefs[0].sectionName, "https-web-app");
    assert.deepEqual(route("loco-api").rules[0].backendRefs, [{ name: "loco-api", port: 80 }]);
    const apiService = named(registered, "kubernetes:core/v1:Service", "loco-api").inputs.spec as Any;
    assert.equal(apiService.ports[0].appProtocol, "kubernetes.io/h2c");
  });

  test("a PodDisruptionBudget per workload with disruptionBudgets, none without", async () => {
    const budgets = (r: Registered) =>
      r
        .ofType("kubernetes:policy/v1:PodDisruptionBudget")
        .map((b) => metadata(b).name)
        .sort();
    assert.deepEqual(budgets(await build()), ["loco-api", "loco-controller", "loco-ui"]);
    const single = { replicas: 1, cpu: "10m", memory: "64Mi" };
    assert.deepEqual(budgets(await build({ disruptionBudgets: false, api: single, ui: single, controller: single })), []);
  });
});

describe("LocoControlPlane: bad arguments", () => {
  const problem = (patch: Partial<LocoControlPlaneArgs>) => {
    try {
      validateLocoControlPlaneArgs("cp", args(patch));
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  };

  test("an image tagged latest is refused, naming the image", () => {
    const images = { ...args().images, ui: { repository: "ghcr.io/team-loco/loco-ui", tag: "latest" } };
    assert.match(String(problem({ images })), /images\.ui tag must not be "latest"/);
  });

  test("a malformed digest is refused", () => {
    const images = { ...args().images, api: { repository: "ghcr.io/team-loco/loco-api", tag: "v1", digest: "sha256:xyz" } };
    assert.match(String(problem({ images })), /images\.api digest "sha256:xyz" is not sha256:<64 hex>/);
  });

  test("a disruption budget over a single replica is refused: it would block every drain", () => {
    assert.match(String(problem({ controller: { replicas: 1, cpu: "10m", memory: "64Mi" } })), /controller\.replicas must be at least 2/);
  });

  test("good arguments pass", () => {
    assert.equal(problem({}), undefined);
  });
});

/** A key set of fresh Ed25519 keys with the given ids. */
function signingKeySet(current: string, previous?: string): SigningKeySet {
  const key = (keyId: string) => ({
    keyId,
    privateKeyPem: generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  });
  return { current: key(current), ...(previous ? { previous: key(previous) } : {}) };
}

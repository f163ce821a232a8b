/**
 * The rebuild plan as on-call reads it (text) and as tooling reads it (JSON with sorted keys). The text escapes
 * every value that came from a database (terminal-text.ts), as the JSON does by being JSON.
 */
import type { RebuildPlan } from "./build-plan";
import { terminalSafe as safe } from "./terminal-text";

/**
 * Hands JSON.stringify each plain object with its keys in sorted order: as it is when they already are (the plan
 * builds its many small objects that way, so a 10,000-app plan is not copied), else as a sorted copy.
 */
function sortedKeys(this: unknown, _key: string, value: unknown): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = keys[i - 1] < keys[i];
  if (ordered) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}

/** JSON with object keys sorted at every level, so equal plans are byte-identical. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys, 2);
}

/** Columns padded to their widest cell; cells are escaped first, so the widths are those printed. */
function table(header: readonly string[], unsafeRows: readonly (readonly string[])[], indent: string): string[] {
  const rows = unsafeRows.map((row) => row.map(safe));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function formatPlan(plan: RebuildPlan): string {
  const { cluster } = plan;
  const lines: string[] = [];
  const checked = cluster.lastHealthCheck ? `, checked ${cluster.lastHealthCheck}` : "";
  lines.push(
    safe(
      `Rebuild plan for cluster ${cluster.name} (${cluster.region}, ${cluster.provider}; loco last saw it ${cluster.healthStatus}${checked})`,
    ),
    safe(
      `Environment ${plan.environment}, base domain ${plan.baseDomain}. Read from one read-only snapshot of loco's database, schema ${plan.locoSchema}.`,
    ),
    "",
    safe(`1. Converge the platform: ${plan.platform.command}`),
    ...table(
      ["CHART", "VERSION", "FROM"],
      plan.platform.releases.map((r) => [r.chart, r.version, r.repository]),
      "     ",
    ),
  );
  const certificates = plan.platform.preservedCertificates;
  lines.push("", `2. Restore ${plural(certificates.length, "preserved platform certificate")} before cert-manager reconciles`);
  if (certificates.length > 0) {
    lines.push(
      ...table(
        ["SECRET", "NAMES", "NOT AFTER", "STATE"],
        certificates.map((c) => [
          `${c.namespace}/${c.secretName}`,
          c.dnsNames.join(","),
          c.notAfter,
          c.state === "valid" ? "valid: restore" : c.state === "expired" ? "expired: re-issued" : `not restorable: ${c.reason}`,
        ]),
        "     ",
      ),
    );
  }
  const { counts } = plan;
  lines.push(
    "",
    `3. Apply ${plural(counts.tenants, "tenant app")} (${plural(counts.workspaces, "workspace")}, ${plural(counts.organizations, "organization")})`,
  );
  if (plan.tenants.length > 0) {
    lines.push(
      ...table(
        ["APP", "KIND", "NAMESPACE", "DEPLOYMENT", "IMAGE", "REPLICAS", "SLEEPS", "ROUTES", "ENV"],
        plan.tenants.map((t) => [
          `${t.organization.name}/${t.workspace.name}/${t.app.name}`,
          t.kind,
          t.namespace,
          t.deploymentId,
          t.image,
          `${t.replicas.min}..${t.replicas.max} (${t.replicas.initial})`,
          t.sleeps ? "yes" : "no",
          [
            ...t.routes.map((r) => (r.tls === "wildcard" ? r.hostname : `${r.hostname} [tls ${r.tls}]`)),
            ...(t.servedElsewhere.length > 0 ? [`(+${t.servedElsewhere.length} in other regions)`] : []),
          ].join(" ") || "-",
          t.environment,
        ]),
        "     ",
      ),
    );
  }
  const kinds = Object.entries(plan.objectsByKind);
  lines.push(`   Objects by kind: ${kinds.map(([kind, n]) => `${kind} ${n}`).join(", ") || "none"}`);

  lines.push("", `Skipped: ${plural(plan.skipped.length, "row")}`);
  if (plan.skipped.length > 0) {
    lines.push(
      ...table(
        ["ROW", "APP", "REASON"],
        plan.skipped.map((s) => [`${s.table} ${s.id}`, s.app ?? "-", s.reason]),
        "  ",
      ),
    );
  }
  const tenantWarnings = plan.tenants.flatMap((t) =>
    t.warnings.map((w) => `${t.organization.name}/${t.workspace.name}/${t.app.name}: ${w}`),
  );
  if (plan.warnings.length + tenantWarnings.length > 0)
    lines.push("", "Warnings:", ...[...plan.warnings, ...tenantWarnings].map((w) => `  ${safe(w)}`));

  const { store } = plan;
  lines.push(
    "",
    `History: ${plural(counts.inactiveDeployments, "inactive deployment")} on this cluster (kept in loco's database, not rebuilt).`,
    store.schemaVersion === null
      ? "Store: no resurrector schema in this database."
      : `Store: resurrector schema v${store.schemaVersion}, ${plural(store.environments, "stored environment")}, ${plural(store.certificates, "preserved certificate")}; ${
          store.verifiedWithKey ? `opened with master key ${store.verifiedWithKey}` : "not opened (no LOCO_RESURRECTOR_KEY given)"
        }.`,
  );
  return lines.join("\n");
}

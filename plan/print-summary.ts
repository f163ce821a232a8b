/** The plan summary as the text `npm start` prints. */
import type { PlanSummary } from "./offline-plan";

const money = (n: number) => `$${n.toFixed(2)}`;
const range = (min: number, max: number) => (min === max ? money(min) : `${money(min)} - ${money(max)}`);
const shortType = (type: string) => type.split(":").pop() ?? type;

export function formatSummary(summary: PlanSummary, outDir: string): string {
  const lines: string[] = [];
  lines.push(`Offline plan of stack "${summary.stack}" from ${summary.configFile}: no cloud, no credentials, nothing applied.`);
  if (summary.placeholderConfigKeys.length > 0) {
    lines.push(`  secure config values replaced by placeholders: ${summary.placeholderConfigKeys.join(", ")}`);
  }
  lines.push("");
  lines.push(`Resources: ${summary.resources.total}`);
  for (const [component, types] of Object.entries(summary.resources.byComponent)) {
    const count = Object.values(types).reduce((a, b) => a + b, 0);
    lines.push(`  ${component}  (${count})`);
    for (const [type, n] of Object.entries(types)) lines.push(`      ${String(n).padStart(3)}  ${type}`);
  }
  lines.push("");
  const cost = summary.cost;
  lines.push(
    `Estimated monthly cost: ${range(cost.monthlyMin, cost.monthlyMax)} ${cost.currency} (DigitalOcean list prices as of ${cost.pricesAsOf}; autoscaled pools as min - max)`,
  );
  for (const l of cost.lines) lines.push(`  ${range(l.monthlyMin, l.monthlyMax).padStart(19)}  ${l.item}`);
  lines.push("");
  const fp = summary.platformRequests;
  lines.push(
    `Platform requests: ${fp.cpuMillicores}m CPU, ${Math.round(fp.memoryMiB)} MiB memory, ${fp.storageGiB} GiB storage (per-node workloads x ${fp.nodeCount} nodes)`,
  );
  for (const l of fp.lines)
    lines.push(`  ${String(l.cpuMillicores).padStart(6)}m ${String(Math.round(l.memoryMiB)).padStart(6)} MiB  ${l.source}`);
  if (fp.withoutRequests.length > 0) lines.push(`  without requests: ${fp.withoutRequests.join(", ")}`);
  if (fp.coreCapacity) {
    const core = fp.coreCapacity;
    lines.push(
      `  core pool: ${core.nodes} x ${core.size} = ${core.cpuMillicores}m CPU, ${core.memoryMiB} MiB before DOKS's per-node reservations` +
        ` (add-ons run there; per-node agents also run on app nodes)`,
    );
  }
  lines.push("");
  const path = summary.criticalPath;
  lines.push(`Critical path (typical creation times): ~${path.estimatedMinutes} min`);
  lines.push(`  ${path.steps.map((s) => `${shortType(s.type)} ${s.urn.split("::").pop()}`).join(" -> ")}`);
  lines.push("");
  const s = summary.secrets;
  lines.push(
    `Secrets: ${s.secretInputValues} secret input values in ${s.resourcesWithSecrets} resources, ${s.secretStackOutputs} secret stack outputs; all written as "[secret]".`,
  );
  lines.push("");
  lines.push(
    `Wrote ${outDir}: resources.json, outputs.json, summary.json, manifests/ (${summary.files.manifests}), helm/ (${summary.files.helmReleases} releases)`,
  );
  lines.push(summary.note);
  return lines.join("\n");
}

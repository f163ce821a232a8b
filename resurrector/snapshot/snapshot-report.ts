/** The snapshot's report as text for an operator: the counts, then every Secret that was not simply unchanged. */
import { terminalSafe } from "../rebuild-plan/terminal-text";
import type { SnapshotReport } from "./snapshot-cluster";

/** Exit code of a snapshot: 0 when every Secret it cares about was stored or already stored, 1 otherwise. */
export const snapshotExitCode = (report: SnapshotReport) => (report.counts.malformed + report.counts.failed > 0 ? 1 : 0);

export function formatSnapshot(report: SnapshotReport): string {
  const { counts } = report;
  const lines = [
    `Snapshot of cluster ${report.cluster} at ${report.takenAt}, sealed under key ${report.keyId}, keeping ${report.keep} versions:`,
    `  ${counts.sealed} sealed, ${counts.unchanged} unchanged, ${counts.skipped} skipped, ${counts.malformed} malformed, ${counts.failed} failed.`,
  ];
  for (const item of report.items) {
    if (item.outcome === "unchanged") continue;
    const owner = item.resourceIds.length > 0 ? ` (app ${item.resourceIds.join(", ")})` : "";
    const detail = item.outcome === "sealed" ? `version ${item.version}${item.pruned ? `, ${item.pruned} old pruned` : ""}` : item.reason;
    lines.push(`  ${item.outcome.padEnd(9)} ${item.what} ${item.secret}${owner}: ${detail ?? ""}`);
  }
  return lines.map(terminalSafe).join("\n");
}

/**
 * Which of the cluster's active deployments a rebuild renders: each row is checked on its own (kind, status,
 * region, spec), one deployment per resource is kept (the newest), and with the master key each stored environment
 * is opened. A row that fails is reported with its reason, never dropped.
 */
import { SealError, type MasterKey } from "../crypto/envelope";
import type { ActiveDeploymentRecord, ClusterSnapshot } from "../db/records";
import type { AppSpec, EnvironmentSource } from "../render/app-input";
import { parseAppSpec, renderedKinds } from "../render/tenant-app";
import { openEnvironment, type SealedEnvironment } from "../store/environments";
import { append, appLabel, byNumericId, type Skip } from "./rows";

/** A deployment whose row checks passed. */
export interface Candidate {
  readonly record: ActiveDeploymentRecord;
  readonly spec: AppSpec;
  /** Its stored environment: opened (with the key), sealed (without), or undefined when none is stored. */
  readonly environment?: EnvironmentSource;
}

const failedStatuses = new Set(["failed", "canceled"]);

/** Row checks that need no other row: type, status, region, spec. */
function checkDeployment(record: ActiveDeploymentRecord, clusterRegion: string): { spec: AppSpec } | { reasons: string[] } {
  const parsed = parseAppSpec(record.resource.type, record.specVersion, record.spec);
  if (!parsed) {
    return {
      reasons: [`resource type ${record.resource.type} is not rendered by this resurrector (it renders ${renderedKinds.join(", ")})`],
    };
  }
  if (record.resource.status === "suspended")
    return { reasons: ["the resource is suspended: a rebuild leaves it down until loco resumes it"] };
  if (failedStatuses.has(record.status)) {
    return {
      reasons: [`the active deployment is ${record.status}${record.message ? ` (${record.message})` : ""}: nothing known-good to restore`],
    };
  }
  if (record.region !== clusterRegion)
    return { reasons: [`deployment region ${record.region} is not the cluster's region ${clusterRegion}`] };
  return parsed.ok ? { spec: parsed.spec } : { reasons: [...parsed.problems] };
}

/** One active deployment per resource: the newest wins, the others are reported. */
function newestPerResource(candidates: readonly Candidate[], skip: Skip): Candidate[] {
  const byResource = new Map<string, Candidate[]>();
  for (const candidate of candidates) append(byResource, candidate.record.resource.id, candidate);
  const kept: Candidate[] = [];
  for (const group of byResource.values()) {
    const ordered = [...group].sort(
      (a, b) => b.record.createdAt.getTime() - a.record.createdAt.getTime() || byNumericId(b.record, a.record),
    );
    kept.push(ordered[0]);
    for (const older of ordered.slice(1)) {
      skip({
        table: "deployments",
        id: older.record.id,
        app: appLabel(older.record),
        reason: `resource ${older.record.resource.id} also has the newer active deployment ${ordered[0].record.id} on this cluster`,
      });
    }
  }
  return kept;
}

/** A stored environment as the renderer takes it: opened with the key (or why it does not open), else sealed. */
function storedEnvironment(sealed: SealedEnvironment, key: MasterKey | undefined): { source: EnvironmentSource } | { problem: string } {
  if (!key) return { source: { sealed: true } };
  try {
    return { source: { values: openEnvironment(key, sealed) } };
  } catch (error) {
    if (error instanceof SealError || error instanceof SyntaxError)
      return { problem: `the stored environment cannot be opened: ${error.message}` };
    return { problem: `the stored environment is unusable: ${(error as Error).message}` };
  }
}

/** The deployments a rebuild renders, each with its parsed spec and stored environment. */
export function selectApps(snapshot: ClusterSnapshot, masterKey: MasterKey | undefined, skip: Skip): Candidate[] {
  const checked: Candidate[] = [];
  for (const record of [...snapshot.deployments].sort(byNumericId)) {
    const result = checkDeployment(record, snapshot.cluster.region);
    if ("reasons" in result) skip({ table: "deployments", id: record.id, app: appLabel(record), reason: result.reasons.join("; ") });
    else checked.push({ record, spec: result.spec });
  }
  const environments = new Map((snapshot.resurrector?.environments ?? []).map((e) => [e.resourceId, e]));
  const apps: Candidate[] = [];
  for (const app of newestPerResource(checked, skip)) {
    const sealed = environments.get(app.record.resource.id);
    const stored = sealed && storedEnvironment(sealed, masterKey);
    if (stored && "problem" in stored) skip({ table: "deployments", id: app.record.id, app: appLabel(app.record), reason: stored.problem });
    else apps.push({ ...app, environment: stored?.source });
  }
  return apps;
}

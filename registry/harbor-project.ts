/**
 * A Harbor project: its visibility, scanning and deployment security, storage quota and CVE allowlist. Modelled
 * on the Terraform provider's `harbor_project` (public, vulnerability_scanning, deployment_security,
 * storage_quota, cve_allowlist).
 *
 * Harbor takes the quota at creation (`storage_limit`) but ignores it on update, so later quota changes go
 * through `/quotas/{id}`. Deleting a project that still holds repositories is refused by Harbor (412); that
 * refusal is surfaced, never forced: the images are the tenants'.
 */
import { HarborApiError, HarborClient } from "./harbor-api";
import { changedFields, harborNamePattern, metadataFlag, type ArgProblem, type HarborObject } from "./harbor-object";

/** Vulnerability severities Harbor can block pulls at (project metadata `severity`). */
export const severities = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof severities)[number];

export interface ProjectArgs {
  /** Project name, lowercase; part of every image reference (`registry/<name>/<repo>:<tag>`). */
  readonly name: string;
  /** Anonymous pulls. */
  readonly public: boolean;
  /** Scan every artifact when it is pushed (metadata `auto_scan`). */
  readonly vulnerabilityScanning: boolean;
  /** Refuse pulls of artifacts with vulnerabilities at or above this severity (`prevent_vul` + `severity`); null allows all. */
  readonly deploymentSecurity: Severity | null;
  /** Hard limit on the project's storage in bytes (-1: unlimited). Pushes that would exceed it fail. */
  readonly storageQuotaBytes: number;
  /** CVE ids never counted against deploymentSecurity (the project's own allowlist, not the system's). */
  readonly cveAllowlist: readonly string[];
}

export interface ProjectState extends ProjectArgs {
  readonly projectId: number;
}

const cvePattern = /^CVE-\d{4}-\d{4,}$/;

interface ProjectResponse {
  project_id: number;
  name: string;
  metadata?: Record<string, string | undefined>;
  cve_allowlist?: { items?: { cve_id?: string }[] | null };
}

interface QuotaResponse {
  id: number;
  hard?: { storage?: number };
}

/** Pure: the ProjectReq body (swagger `ProjectReq`); metadata values are strings, as Harbor stores them. */
export function projectRequest(args: ProjectArgs, includeQuota: boolean): Record<string, unknown> {
  return {
    ...(includeQuota ? { project_name: args.name, storage_limit: args.storageQuotaBytes } : {}),
    metadata: {
      public: String(args.public),
      auto_scan: String(args.vulnerabilityScanning),
      prevent_vul: String(args.deploymentSecurity !== null),
      // Harbor keeps a severity even when prevent_vul is off; "low" is what its UI stores by default.
      severity: args.deploymentSecurity ?? "low",
      reuse_sys_cve_allowlist: "false",
    },
    cve_allowlist: { items: [...args.cveAllowlist].sort().map((cve) => ({ cve_id: cve })) },
  };
}

/** Pure: Harbor's project (and its storage quota) in the shape of ProjectArgs. */
export function projectState(project: ProjectResponse, storageQuotaBytes: number): ProjectState {
  const metadata = project.metadata ?? {};
  const severity = metadata.severity as Severity | undefined;
  return {
    projectId: project.project_id,
    name: project.name,
    public: metadataFlag(metadata.public),
    vulnerabilityScanning: metadataFlag(metadata.auto_scan),
    deploymentSecurity: metadataFlag(metadata.prevent_vul) ? (severity ?? "low") : null,
    storageQuotaBytes,
    cveAllowlist: (project.cve_allowlist?.items ?? [])
      .map((item) => item.cve_id ?? "")
      .filter((id) => id !== "")
      .sort(),
  };
}

async function findByName(client: HarborClient, name: string): Promise<ProjectResponse | undefined> {
  try {
    return (await client.request<ProjectResponse>("GET", `/projects/${encodeURIComponent(name)}`, { byName: true })).body;
  } catch (error) {
    if (error instanceof HarborApiError && error.notFound) return undefined;
    throw error;
  }
}

async function quotaOf(client: HarborClient, projectId: number): Promise<QuotaResponse | undefined> {
  const quotas = await client.list<QuotaResponse>("/quotas", { query: { reference: "project", reference_id: String(projectId) } });
  return quotas[0];
}

async function converge(client: HarborClient, project: ProjectResponse, args: ProjectArgs): Promise<ProjectState> {
  await client.request("PUT", `/projects/${project.project_id}`, { body: projectRequest(args, false) });
  const quota = await quotaOf(client, project.project_id);
  if (!quota) throw new Error(`Harbor project ${args.name} (id ${project.project_id}) has no storage quota to update`);
  if (quota.hard?.storage !== args.storageQuotaBytes) {
    await client.request("PUT", `/quotas/${quota.id}`, { body: { hard: { storage: args.storageQuotaBytes } } });
  }
  return { ...args, cveAllowlist: [...args.cveAllowlist].sort(), projectId: project.project_id };
}

export const harborProject: HarborObject<ProjectArgs, ProjectState> = {
  kind: "project",

  validate(args) {
    const problems: ArgProblem[] = [];
    if (!harborNamePattern.test(args.name) || args.name.length > 255) {
      problems.push({
        field: "name",
        reason: `must be lowercase letters, digits and . _ - between them (Harbor's rule), got "${args.name}"`,
      });
    }
    if (!Number.isInteger(args.storageQuotaBytes) || (args.storageQuotaBytes !== -1 && args.storageQuotaBytes <= 0)) {
      problems.push({ field: "storageQuotaBytes", reason: `must be -1 (unlimited) or a positive integer, got ${args.storageQuotaBytes}` });
    }
    if (args.deploymentSecurity !== null && !severities.includes(args.deploymentSecurity)) {
      problems.push({
        field: "deploymentSecurity",
        reason: `must be one of ${severities.join(", ")} or null, got "${args.deploymentSecurity}"`,
      });
    }
    for (const cve of args.cveAllowlist) {
      if (!cvePattern.test(cve)) problems.push({ field: "cveAllowlist", reason: `"${cve}" is not a CVE id such as CVE-2024-12345` });
    }
    return problems;
  },

  async create({ client }, args) {
    const existing = await findByName(client, args.name);
    if (existing) return { id: String(existing.project_id), state: await converge(client, existing, args) };
    try {
      const response = await client.request("POST", "/projects", { body: projectRequest(args, true) });
      const projectId = HarborClient.createdId(response, `project ${args.name}`);
      return { id: String(projectId), state: { ...args, cveAllowlist: [...args.cveAllowlist].sort(), projectId } };
    } catch (error) {
      // Created meanwhile (or by a retried POST whose first answer was lost): adopt it.
      if (!(error instanceof HarborApiError && error.conflict)) throw error;
      const raced = await findByName(client, args.name);
      if (!raced) throw error;
      return { id: String(raced.project_id), state: await converge(client, raced, args) };
    }
  },

  async read({ client }, id) {
    let project: ProjectResponse;
    try {
      project = (await client.request<ProjectResponse>("GET", `/projects/${id}`)).body;
    } catch (error) {
      if (error instanceof HarborApiError && error.notFound) return undefined;
      throw error;
    }
    const quota = await quotaOf(client, project.project_id);
    return projectState(project, quota?.hard?.storage ?? -1);
  },

  async update({ client }, id, state, args) {
    return converge(client, { project_id: Number(id), name: state.name }, args);
  },

  async remove({ client }, id) {
    try {
      await client.request("DELETE", `/projects/${id}`);
    } catch (error) {
      if (error instanceof HarborApiError && error.notFound) return;
      throw error;
    }
  },

  diff(state, args) {
    const changes = changedFields<ProjectArgs>(state, { ...args, cveAllowlist: [...args.cveAllowlist].sort() }, [
      "name",
      "public",
      "vulnerabilityScanning",
      "deploymentSecurity",
      "storageQuotaBytes",
      "cveAllowlist",
    ]);
    // Harbor cannot rename a project: a new name is a new project.
    return { changes: changes.length > 0, replaces: changes.filter((field) => field === "name") };
  },
};

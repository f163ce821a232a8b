/**
 * What the resurrector reads from loco's database of record, as typed records: what the loco schema adapter
 * (loco-tables.ts) produces, whatever loco's columns are called. Ids are BIGSERIAL and arrive as strings (they can
 * exceed 2^53); enums arrive as their text. Nothing here is validated yet: the plan validates each row and reports
 * the bad ones.
 */
import type { SealedCertificate } from "../store/certificates";
import type { SealedEnvironment } from "../store/environments";

export interface ClusterRecord {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly provider: string;
  readonly isActive: boolean;
  readonly isDefault: boolean;
  readonly endpoint: string | null;
  /** healthy, unhealthy, degraded, or unknown before loco's first check. */
  readonly healthStatus: string;
  readonly lastHealthCheck: Date | null;
}

/** An active deployment on the cluster, joined with its resource, workspace and organization. */
export interface ActiveDeploymentRecord {
  readonly id: string;
  readonly resourceRegionId: string | null;
  readonly region: string;
  readonly replicas: number;
  readonly status: string;
  readonly message: string | null;
  readonly spec: unknown;
  readonly specVersion: number;
  readonly createdAt: Date;
  readonly resource: {
    readonly id: string;
    readonly name: string;
    readonly type: string;
    readonly status: string;
    /** resources.spec: loco's per-resource defaults (region resources, routing, observability), for its Application. */
    readonly spec?: unknown;
  };
  readonly workspace: { readonly id: string; readonly name: string };
  readonly organization: { readonly id: string; readonly name: string };
}

export interface PlatformDomainRecord {
  readonly id: string;
  readonly domain: string;
  readonly isActive: boolean;
}

export interface DomainRecord {
  readonly id: string;
  readonly resourceId: string;
  readonly domain: string;
  /** platform_provided | user_provided */
  readonly source: string;
  readonly subdomainLabel: string | null;
  readonly platformDomainId: string | null;
  readonly isPrimary: boolean;
}

/** One consistent read of everything a rebuild of one cluster needs. */
export interface ClusterSnapshot {
  /** The loco schema version the adapter recognised and read (loco-schema.ts). */
  readonly locoSchema: string;
  /** Every cluster loco knows, for context and for naming the choices when one is asked for by mistake. */
  readonly clusters: readonly ClusterRecord[];
  /** The cluster being planned. */
  readonly cluster: ClusterRecord;
  readonly deployments: readonly ActiveDeploymentRecord[];
  readonly domains: readonly DomainRecord[];
  readonly platformDomains: readonly PlatformDomainRecord[];
  /** Deployments on this cluster that are not active (history): counted, never rendered. */
  readonly inactiveDeployments: number;
  /** The resurrector's own schema: undefined when it was never migrated in this database. */
  readonly resurrector?: {
    readonly schemaVersion: number;
    readonly environments: readonly SealedEnvironment[];
    readonly certificates: readonly SealedCertificate[];
  };
}

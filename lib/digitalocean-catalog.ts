/**
 * Typed access to data/digitalocean-catalog.json: DigitalOcean's slugs and list prices on the date in `asOf`.
 * Config validation rejects slugs that are not in it; the offline plan prices resources with it. When
 * DigitalOcean adds a size or changes a price, update the JSON (and its asOf date), not the code.
 */
import catalogJson from "../data/digitalocean-catalog.json";

export interface DropletSize {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly monthly: number;
  readonly family: string;
  readonly notes?: string;
}

export interface DatabaseSize {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly monthlyPerNode: number;
  /** Most nodes (primary plus standbys) DigitalOcean allows on this size. */
  readonly maxNodes: number;
  readonly notes?: string;
}

/** An App Platform container size; pre-deploy jobs are billed by the second and are not priced. */
export interface AppPlatformSize {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly monthly: number;
  readonly notes?: string;
}

export interface Region {
  readonly name: string;
  readonly kubernetes: boolean;
  readonly managedDatabases: boolean;
  /** Spaces object storage (Standard) is offered here. */
  readonly spaces: boolean;
}

export interface DigitalOceanCatalog {
  readonly asOf: string;
  readonly currency: string;
  readonly sources: readonly string[];
  readonly regions: Readonly<Record<string, Region>>;
  readonly kubernetes: {
    readonly versions: { readonly note: string; readonly known: readonly string[] };
    readonly haControlPlaneMonthly: number;
    readonly loadBalancerMonthlyPerNode: number;
    readonly blockStorageMonthlyPerGiB: number;
    readonly spacesMonthlyBase: number;
    readonly spacesIncludedGiB: number;
  };
  readonly dropletSizes: Readonly<Record<string, DropletSize>>;
  readonly databaseSizes: Readonly<Record<string, DatabaseSize>>;
  readonly appPlatformSizes: Readonly<Record<string, AppPlatformSize>>;
  readonly postgresVersions: readonly string[];
}

export const catalog: DigitalOceanCatalog = catalogJson;

/** Regions with Spaces object storage. */
export function spacesRegions(): string[] {
  return Object.entries(catalog.regions)
    .filter(([, r]) => r.spaces)
    .map(([slug]) => slug)
    .sort();
}

/** Regions where both DOKS and managed databases are offered: the only places an environment can live. */
export function platformRegions(): string[] {
  return Object.entries(catalog.regions)
    .filter(([, r]) => r.kubernetes && r.managedDatabases)
    .map(([slug]) => slug)
    .sort();
}

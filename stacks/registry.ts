/**
 * The registry layer: Harbor for tenant images, its storage and database outside the cluster (dev/prod), and its
 * configuration (project, lifecycle rules, scanning, robot accounts).
 *
 * dev/prod: blobs in a Spaces bucket, metadata in a `harbor` database on the managed Postgres; both survive a
 * cluster rebuild, and so does everything configured in Harbor. local: a volume and the chart's own database, on
 * the laptop's cluster; nothing there is meant to survive it.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppDatabase } from "../components/app-database";
import { Harbor, harborAdminUser, type HarborDatabaseArgs, type HarborImageStorageArgs } from "../components/harbor";
import { ObjectStorageBucket } from "../components/object-storage";
import { TenantRegistry, type RegistryCredentials } from "../components/tenant-registry";
import { registryPullSecretName } from "../lib/registry-pull-secret";
import { alternatingUsersRotation, recordAlternatingUsers } from "./alternating-users-rotation";
import type { StackConfig } from "./config";
import type { Foundation } from "./foundation";
import { rotationPolicy } from "./rotation-policy";
import type { RotationRun } from "./rotation-state";

/** Harbor's database on the managed cluster (its users are the pair harbor_a / harbor_b, group role harbor). */
const harborDatabase = { name: "harbor" } as const;

/** Size of the in-cluster database volume on the local stack. */
const localDatabaseGiB = 5;

export interface RegistryLayerArgs {
  /** The stack's typed config (stacks/config.ts). */
  readonly config: StackConfig;
  /** dev/prod: must carry object storage and the managed Postgres, where Harbor's state outlives the cluster. */
  readonly foundation: Foundation;
  /** What Harbor's HTTPRoute must wait for: the shared Gateway and its CRDs (the traffic layer's `routesReady`). */
  readonly routesReady: readonly pulumi.Resource[];
  /** This run's rotations (stacks/rotation-state.ts): which robot slots exist. */
  readonly rotations: RotationRun;
}

/** Harbor for the platform's own consumers (loco's control plane): where it is and the robots' credentials. */
export interface RegistryAccess {
  /** Harbor's URL, https://registry.{baseDomain}. */
  readonly url: string;
  /** The registry host in image references. */
  readonly host: string;
  /** The tenants' project. */
  readonly project: string;
  /** `<host>/<project>`. */
  readonly repositoryPrefix: string;
  /** Push and pull (secret). */
  readonly builder: pulumi.Output<RegistryCredentials>;
  /** Pull only (secret). */
  readonly puller: pulumi.Output<RegistryCredentials>;
  /** The pull robot's `.dockerconfigjson` (secret). */
  readonly pullSecretDockerConfigJson: pulumi.Output<string>;
}

export class RegistryLayer extends pulumi.ComponentResource {
  /** Stack output `registry`. */
  public readonly outputs: Record<string, unknown>;
  /** Harbor and its robots, for loco's control plane. */
  public readonly access: RegistryAccess;

  constructor(name: string, args: RegistryLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:Registry", name, {}, opts);
    const { config } = args;
    const registry = config.registry;
    const storage = this.storage(name, config, args.foundation, args.rotations);

    const harbor = new Harbor(
      `${name}-harbor`,
      {
        hostname: config.names.registry,
        replicas: registry.replicas,
        imageStorage: storage.imageStorage,
        database: storage.database,
        adminPasswordRotation: rotationPolicy(config, "harborAdminPassword"),
        routesReady: args.routesReady,
      },
      { parent: this },
    );

    const tenants = new TenantRegistry(
      `${name}-tenants`,
      {
        apiUrl: registry.apiUrl ?? harbor.url,
        registryHost: config.names.registry,
        adminUser: harborAdminUser,
        adminPassword: harbor.adminPassword,
        harborReady: harbor.ready,
        project: {
          name: registry.project,
          storageQuotaGiB: registry.storageQuotaGiB,
          blockPullsAtSeverity: registry.blockPullsAtSeverity,
          cveAllowlist: registry.cveAllowlist,
        },
        retention: registry.retention,
        garbageCollection: registry.garbageCollection,
        rescanAt: registry.rescanAt,
        immutableTags: registry.immutableTags,
        robots: {
          expiryDays: registry.robotExpiryDays,
          builder: args.rotations.twoSlotRotation("registryBuilderRobot").next,
          pull: args.rotations.twoSlotRotation("registryPullRobot").next,
        },
        protect: config.protect,
      },
      { parent: this },
    );

    // Harbor's users are recorded once Harbor runs with the active one (its release rolled, after the setup Job).
    if (harbor.databaseUsers) recordAlternatingUsers(args.rotations, "harborDatabaseUser", harbor.databaseUsers, harbor.ready);
    args.rotations.appliedBy("registryBuilderRobot", tenants.robotAccounts.builder);
    args.rotations.appliedBy("registryPullRobot", tenants.robotAccounts.pull);

    this.access = {
      url: harbor.url,
      host: config.names.registry,
      project: registry.project,
      repositoryPrefix: tenants.repositoryPrefix,
      builder: tenants.builder,
      puller: tenants.puller,
      pullSecretDockerConfigJson: tenants.pullSecretDockerConfigJson,
    };
    this.outputs = {
      registry: {
        url: harbor.url,
        repositoryPrefix: tenants.repositoryPrefix,
        // Harbor cannot refuse an image by size; loco's builder, the only writer, enforces this before pushing.
        maxImageSizeMiB: registry.maxImageSizeMiB,
        ...(storage.bucketName ? { bucket: storage.bucketName } : {}),
        builder: tenants.builder,
        pullSecret: { name: registryPullSecretName, dockerConfigJson: tenants.pullSecretDockerConfigJson },
        admin: tenants.connection,
      },
    };
    this.registerOutputs(this.outputs);
  }

  /** dev/prod: a bucket and a database outside the cluster. local: a volume and the chart's own database. */
  private storage(
    name: string,
    config: StackConfig,
    foundation: Foundation,
    rotations: RotationRun,
  ): { imageStorage: HarborImageStorageArgs; database: HarborDatabaseArgs; bucketName?: pulumi.Output<string> } {
    if (config.environment === "local") {
      return {
        imageStorage: { kind: "volume", sizeGiB: config.registry.imageStorageGiB },
        database: { kind: "in-cluster", sizeGiB: localDatabaseGiB },
      };
    }
    const { objectStorage, managedPostgres } = foundation;
    if (!objectStorage || !managedPostgres) {
      throw new pulumi.ResourceError(
        `RegistryLayer ${name}: a DigitalOcean environment needs the foundation's object storage and managed Postgres`,
        this,
      );
    }
    const bucket = new ObjectStorageBucket(
      `${name}-bucket`,
      {
        region: objectStorage.region,
        namePrefix: `${config.environmentName}-registry`,
        protect: config.protect,
        keySlots: rotations.twoSlotRotation("spacesKeys").next,
      },
      { parent: this },
    );
    const appDatabase = new AppDatabase(
      `${name}-database`,
      {
        clusterId: managedPostgres.clusterId,
        privateHost: pulumi.unsecret(managedPostgres.admin.apply((a) => a.host)),
        port: pulumi.unsecret(managedPostgres.admin.apply((a) => a.port)),
        databaseName: harborDatabase.name,
        protect: config.protect,
      },
      { parent: this },
    );
    rotations.appliedBy("spacesKeys", bucket.keys);
    return {
      imageStorage: { kind: "spaces", access: bucket.access, keyGeneration: bucket.keyGeneration },
      database: {
        kind: "managed",
        alternatingUsers: {
          admin: managedPostgres.admin,
          database: harborDatabase.name,
          // Harbor holds prepared statements across transactions: no pool, both addresses are the direct one.
          pooled: appDatabase.address,
          direct: appDatabase.address,
        },
        step: alternatingUsersRotation(rotations, "harborDatabaseUser"),
        databaseReady: appDatabase.ready,
        maxOpenConnections: config.registry.databaseConnections,
      },
      bucketName: bucket.bucketName,
    };
  }
}

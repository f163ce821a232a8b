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
import { TenantRegistry } from "../components/tenant-registry";
import { registryPullSecretName } from "../lib/registry-pull-secret";
import type { StackConfig } from "./config";
import { rotationPolicy, type Foundation } from "./platform";

/** Harbor's database and user on the managed cluster. */
const harborDatabase = { name: "harbor", user: "harbor" } as const;

export interface RegistryLayer {
  readonly outputs: Record<string, unknown>;
}

/**
 * @param routesReady what Harbor's HTTPRoute must wait for: the shared Gateway, its registry listener and
 *   certificate (built by the traffic layer).
 */
export function registryLayer(config: StackConfig, foundation: Foundation, routesReady: readonly pulumi.Resource[]): RegistryLayer {
  const name = `loco-${config.stack}`;
  const registry = config.registry;

  let imageStorage: HarborImageStorageArgs;
  let database: HarborDatabaseArgs;
  let bucketName: pulumi.Output<string> | undefined;
  if (config.environment === "local") {
    imageStorage = { kind: "volume", sizeGiB: config.registry.imageStorageGiB };
    database = { kind: "in-cluster", sizeGiB: 5 };
  } else {
    const { objectStorage, managedPostgres } = foundation;
    if (!objectStorage || !managedPostgres)
      throw new Error("the registry layer needs the cloud foundation's object storage and managed Postgres");
    const bucket = new ObjectStorageBucket(
      `${name}-registry`,
      { region: objectStorage.region, namePrefix: `${name}-registry`, protect: objectStorage.protect },
      { providers: [objectStorage.provider] },
    );
    const appDatabase = new AppDatabase(
      `${name}-harbor`,
      {
        clusterId: managedPostgres.clusterId,
        privateHost: pulumi.unsecret(managedPostgres.admin.apply((a) => a.host)),
        port: pulumi.unsecret(managedPostgres.admin.apply((a) => a.port)),
        databaseName: harborDatabase.name,
        userName: harborDatabase.user,
        protect: managedPostgres.protect,
      },
      { providers: [objectStorage.provider] },
    );
    imageStorage = { kind: "spaces", access: bucket.access };
    database = {
      kind: "managed",
      connection: appDatabase.connection,
      admin: managedPostgres.admin,
      databaseName: harborDatabase.name,
      userName: harborDatabase.user,
      maxOpenConnections: config.registry.databaseConnections,
    };
    bucketName = bucket.bucketName;
  }

  const harbor = new Harbor(
    name,
    {
      hostname: config.names.registry,
      replicas: registry.replicas,
      imageStorage,
      database,
      adminPasswordRotation: rotationPolicy(config, "harborAdminPassword"),
      routesReady,
    },
    { providers: [foundation.kubernetes] },
  );

  const tenants = new TenantRegistry(name, {
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
      builderRotation: rotationPolicy(config, "registryBuilderRobot"),
      pullRotation: rotationPolicy(config, "registryPullRobot"),
    },
    protect: config.environment === "prod",
  });

  return {
    outputs: {
      registry: {
        url: harbor.url,
        repositoryPrefix: tenants.repositoryPrefix,
        // Harbor cannot refuse an image by size; loco's builder, the only writer, enforces this before pushing.
        maxImageSizeMiB: registry.maxImageSizeMiB,
        ...(bucketName ? { bucket: bucketName } : {}),
        builder: tenants.builder,
        pullSecret: { name: registryPullSecretName, dockerConfigJson: tenants.pullSecretDockerConfigJson },
        admin: tenants.connection,
      },
    },
  };
}

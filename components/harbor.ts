/**
 * Harbor installed on the core pool and exposed at `registry.{baseDomain}` through the shared Gateway.
 *
 * State that must outlive the cluster lives outside it: blobs in a Spaces bucket and metadata (projects, robots,
 * policies, scan reports, job logs) in a database of its own on the managed Postgres, both passed in. Redis and
 * Trivy's cache are in-cluster and disposable. Every secret is generated here and reaches Harbor as a Kubernetes
 * Secret named in the values (`existingSecret*`); the chart never sees a secret value. The local stack keeps
 * blobs on a volume and uses the chart's own database.
 */
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  harborChart,
  harborSecretKeys,
  harborService,
  harborValues,
  type HarborDatabase,
  type HarborImageStorage,
  type HarborSecretNames,
} from "../charts/harbor";
import type { DatabaseEndpoint } from "../lib/database-connection";
import { gatewayListeners, platformRoutesLabel, sharedGatewayParentRef } from "../lib/shared-gateway";
import type { BucketAccess } from "./object-storage";
import { chartRelease } from "./chart-release";
import { platformNamespace } from "./namespace";
import { AlternatingDatabaseUsers, type AlternatingUsersDatabase } from "./alternating-database-users";
import type { AlternatingUsersState, AlternatingUsersStep } from "./alternating-users";
import { GeneratedSecret, neverRotates, type RotationPolicy } from "./secrets";
import { platformNamespaces } from "../lib/platform-namespaces";

/** Where Harbor runs. */
export const registryNamespace = platformNamespaces.registry;

/** Harbor's built-in administrator. */
export const harborAdminUser = "admin";

/** The user core authenticates to the registry component with (in-cluster only). */
const registryUser = "harbor_registry_user";

export type HarborImageStorageArgs =
  | {
      /** Blobs in a Spaces bucket, which outlives the cluster (dev, prod). */
      readonly kind: "spaces";
      /** The bucket and a key that may read and write it (secret). */
      readonly access: pulumi.Output<BucketAccess>;
      /**
       * The key's rotation generation, on the registry's pod template: the registry reads its storage key only at start,
       * so a new key rolls it.
       */
      readonly keyGeneration: number;
    }
  | {
      /** Blobs on a volume in the cluster, lost with it (local). */
      readonly kind: "volume";
      /** The volume's size in GiB. */
      readonly sizeGiB: number;
    };

export type HarborDatabaseArgs =
  | {
      /** A database of Harbor's own on the managed Postgres, which outlives the cluster (dev, prod). */
      readonly kind: "managed";
      /**
       * Harbor's database (components/app-database.ts) and the cluster's admin, on which this component keeps
       * Harbor's alternating users `harbor_a` / `harbor_b` (group role `harbor`); `pooled` and `direct` are both
       * the direct address (Harbor holds prepared statements, which a transaction pool breaks).
       */
      readonly alternatingUsers: AlternatingUsersDatabase;
      /** This run's rotation step of Harbor's database users (stacks/alternating-users-rotation.ts). */
      readonly step: AlternatingUsersStep;
      /** The database resource: the users' setup runs only once it exists. */
      readonly databaseReady: readonly pulumi.Resource[];
      /** Most connections each Harbor pod opens (they share the managed database's connection limit); at least 2. */
      readonly maxOpenConnections: number;
    }
  | {
      /** The chart's own PostgreSQL in the cluster, lost with it (local). */
      readonly kind: "in-cluster";
      /** Its volume's size in GiB. */
      readonly sizeGiB: number;
    };

/** Replica counts and sizes have no default here: each stack states them (stacks/config-defaults.ts). */
export interface HarborArgs {
  /** Public hostname, e.g. registry.example.com. */
  readonly hostname: string;
  /** Replicas of Harbor's stateless parts. */
  readonly replicas: number;
  /** Where image blobs are kept. */
  readonly imageStorage: HarborImageStorageArgs;
  /** Where Harbor's metadata (projects, robots, policies, scan reports) is kept. */
  readonly database: HarborDatabaseArgs;
  /** Rotation of the admin password (applied inside Harbor by the registry configuration, see registry/harbor-admin-password.ts). */
  readonly adminPasswordRotation: RotationPolicy;
  /** Resources the route must wait for: the shared Gateway, its listener and certificate. */
  readonly routesReady: readonly pulumi.Resource[];
}

/** Pure: the HTTPRoute attaching Harbor to the Gateway's registry listener. */
export function harborRoute(hostname: string): IHTTPRoute {
  const backendRefs = [{ name: harborService.name, port: harborService.port }];
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "harbor", namespace: registryNamespace, labels: { "app.kubernetes.io/part-of": "loco-platform" } },
    spec: {
      parentRefs: [sharedGatewayParentRef(gatewayListeners.registry)],
      hostnames: [hostname],
      rules: [
        // Layer uploads and downloads last as long as the layer is big: no request timeout on the registry API
        // (Envoy's idle timeouts still end stalled transfers; Harbor's nginx allows 900 s between reads).
        { matches: [{ path: { type: "PathPrefix", value: "/v2/" } }], backendRefs, timeouts: { request: "0s" } },
        { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs },
      ],
    },
  };
}

/** The name of the Kubernetes Secret holding one of Harbor's secrets. */
const secretName = (role: string) => `loco-harbor-${role}`;

/** What a part of the install contributes: chart values, and objects the release must wait for. */
interface Part<T> {
  readonly values: T;
  readonly waitFor: pulumi.Resource[];
}

export class Harbor extends pulumi.ComponentResource {
  /** https://{hostname} */
  public readonly url: string;
  /** The admin password Harbor is installed with (rotated inside Harbor by the configuration). Secret. */
  public readonly adminPassword: pulumi.Output<string>;
  /** The release, the route, the Gateway and the certificate: Harbor's API answers once all are in place. */
  public readonly ready: pulumi.Resource[];
  /** With a managed database: the state of Harbor's alternating users this run leaves for the next. */
  public readonly databaseUsers?: AlternatingUsersState;

  constructor(name: string, args: HarborArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:registry:Harbor", name, {}, opts);
    validateHarborArgs(name, args, this);
    this.url = `https://${args.hostname}`;

    const namespace = platformNamespace(
      `${name}-namespace`,
      // baseline, not restricted: the chart's volume permission init containers (database, redis, trivy) run as root.
      { name: registryNamespace, podSecurity: "baseline", labels: { [platformRoutesLabel.key]: platformRoutesLabel.value } },
      { parent: this },
    );
    const ns = namespace.metadata.name;

    const generated = this.generatedSecrets(name, args.adminPasswordRotation);
    const secrets = this.harborSecrets(name, ns, generated);
    const imageStorage = this.imageStorage(name, ns, args.imageStorage);
    const database = this.database(name, ns, args.database);
    this.databaseUsers = database.state;

    const release = chartRelease(
      `${name}-release`,
      harborChart,
      {
        releaseName: "harbor",
        namespace: ns,
        values: harborValues({
          externalUrl: this.url,
          replicas: args.replicas,
          imageStorage: imageStorage.values,
          database: database.values,
          registryUser,
          trivyStorage: "5Gi",
          secrets: secrets.values,
        }),
        // First install runs Harbor's database migrations before core becomes ready.
        timeoutSeconds: 900,
      },
      // The values name Secrets (and the grant must have run) without referencing them as Outputs.
      { parent: this, dependsOn: [...secrets.waitFor, ...imageStorage.waitFor, ...database.waitFor] },
    );

    const route = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      harborRoute(args.hostname) as unknown as k8s.apiextensions.CustomResourceArgs,
      // The listener and certificate must exist for the route to be accepted and served over TLS.
      { parent: this, dependsOn: [namespace, release, ...args.routesReady] },
    );

    this.adminPassword = generated.admin.value;
    // Harbor's API is served once the release is up, its route attached, the listener Programmed and the certificate
    // Ready (the last two awaited by Pulumi: components/gateway.ts, components/cert-manager.ts).
    this.ready = [release, route, ...args.routesReady];
    this.registerOutputs({ url: this.url });
  }

  private generatedSecrets(name: string, adminRotation: RotationPolicy) {
    const generated = (role: string, length: number, rotation: RotationPolicy | typeof neverRotates = neverRotates) =>
      new GeneratedSecret(`${name}-${role}`, { rotation, length, requireEachClass: true }, { parent: this });
    return {
      admin: generated("admin-password", 32, adminRotation),
      // Encrypts credentials Harbor stores (e.g. registry endpoints): a new key would make them unreadable.
      secretKey: generated("secret-key", 16),
      // Shared by Harbor's components, which do not restart together when a Secret changes: fixed for the install.
      core: generated("core-secret", 16),
      xsrf: generated("xsrf-key", 32),
      jobservice: generated("jobservice-secret", 16),
      registryHttp: generated("registry-http-secret", 16),
      registryPassword: generated("registry-password", 32),
    };
  }

  /** A Kubernetes Secret for the chart to read. Every value passed in comes from a secret Output. */
  private secret(
    name: string,
    namespace: pulumi.Input<string>,
    role: string,
    data: Record<string, pulumi.Input<string>>,
  ): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
      `${name}-${role}`,
      { metadata: { name: secretName(role), namespace }, type: "Opaque", stringData: data },
      { parent: this },
    );
  }

  private harborSecrets(
    name: string,
    ns: pulumi.Input<string>,
    generated: ReturnType<Harbor["generatedSecrets"]>,
  ): Part<HarborSecretNames> {
    const waitFor = [
      this.secret(name, ns, "admin", { [harborSecretKeys.admin]: generated.admin.value }),
      this.secret(name, ns, "secret-key", { [harborSecretKeys.secretKey]: generated.secretKey.value }),
      this.secret(name, ns, "core", { [harborSecretKeys.core]: generated.core.value, [harborSecretKeys.xsrf]: generated.xsrf.value }),
      this.secret(name, ns, "jobservice", { [harborSecretKeys.jobservice]: generated.jobservice.value }),
      this.secret(name, ns, "registry-http", { [harborSecretKeys.registryHttp]: generated.registryHttp.value }),
      this.secret(name, ns, "registry-credentials", {
        [harborSecretKeys.registryPassword]: generated.registryPassword.value,
        [harborSecretKeys.registryHtpasswd]: pulumi.interpolate`${registryUser}:${generated.registryPassword.bcryptHash}`,
      }),
    ];
    const values: HarborSecretNames = {
      admin: secretName("admin"),
      secretKey: secretName("secret-key"),
      core: secretName("core"),
      jobservice: secretName("jobservice"),
      registryHttp: secretName("registry-http"),
      registryCredentials: secretName("registry-credentials"),
    };
    return { values, waitFor };
  }

  private imageStorage(name: string, ns: pulumi.Input<string>, storage: HarborImageStorageArgs): Part<HarborImageStorage> {
    if (storage.kind === "volume") return { values: { kind: "filesystem", size: `${storage.sizeGiB}Gi` }, waitFor: [] };
    const access = storage.access;
    const credentials = this.secret(name, ns, "spaces", {
      [harborSecretKeys.s3AccessKey]: access.apply((a) => a.accessKeyId),
      [harborSecretKeys.s3SecretKey]: access.apply((a) => a.secretAccessKey),
    });
    // The access object is secret for its key pair; where the bucket is is not.
    const location = (pick: (a: BucketAccess) => string) => pulumi.unsecret(access.apply(pick));
    return {
      values: {
        kind: "s3",
        bucket: location((a) => a.bucket),
        region: location((a) => a.region),
        endpoint: location((a) => a.endpoint),
        credentialsSecret: secretName("spaces"),
        credentialsVersion: `g${storage.keyGeneration}`,
      },
      waitFor: [credentials],
    };
  }

  private database(
    name: string,
    ns: pulumi.Input<string>,
    database: HarborDatabaseArgs,
  ): Part<HarborDatabase> & { state?: AlternatingUsersState } {
    if (database.kind === "in-cluster") return { values: { kind: "internal", size: `${database.sizeGiB}Gi` }, waitFor: [] };
    const users = new AlternatingDatabaseUsers(
      `${name}-database-users`,
      { namespace: ns, jobName: "harbor-database-users", database: database.alternatingUsers, base: "harbor", step: database.step },
      // The setup names the database: without this the Job could run before it exists.
      { parent: this, dependsOn: [...database.databaseReady] },
    );
    const connection = users.connection.apply((c) => c.direct);
    const password = this.secret(name, ns, "database", { [harborSecretKeys.databasePassword]: connection.apply((c) => c.password) });
    // Only the password is secret; the rest is where the database is. A switch changes `user` in the values, which
    // rolls core, jobservice and the exporter onto the other user.
    const endpoint = <T>(pick: (c: DatabaseEndpoint) => T) => pulumi.unsecret(connection.apply(pick));
    return {
      values: {
        kind: "external",
        host: endpoint((c) => c.host),
        port: endpoint((c) => c.port),
        user: users.activeUser,
        database: endpoint((c) => c.database),
        passwordSecret: secretName("database"),
        maxOpenConnections: database.maxOpenConnections,
      },
      waitFor: [password, users.setup],
      state: users.state,
    };
  }
}

/** Pure: throws a ResourceError naming the first bad field. */
export function validateHarborArgs(name: string, args: HarborArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`Harbor ${name}: ${field} ${why}`, resource);
  };
  if (!/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(args.hostname)) {
    fail("hostname", `must be a DNS name such as registry.example.com, got "${args.hostname}"`);
  }
  if (!Number.isInteger(args.replicas) || args.replicas < 1) fail("replicas", `must be a positive integer, got ${args.replicas}`);
  if (args.imageStorage.kind === "volume" && (!Number.isInteger(args.imageStorage.sizeGiB) || args.imageStorage.sizeGiB < 1)) {
    fail("imageStorage.sizeGiB", `must be a positive integer, got ${args.imageStorage.sizeGiB}`);
  }
  if (args.database.kind === "managed" && (!Number.isInteger(args.database.maxOpenConnections) || args.database.maxOpenConnections < 2)) {
    fail("database.maxOpenConnections", `must be an integer of at least 2, got ${args.database.maxOpenConnections}`);
  }
}

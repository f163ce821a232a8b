/**
 * loco itself on the platform: its API, web UI and controller in their own namespace on the core pool, the
 * `Application` CRD they share, least-privilege RBAC, HTTPRoutes on the shared Gateway, and every setting wired from
 * what the platform built.
 *
 * Rendered Kubernetes objects (loco/*.ts builders), not Helm: loco's charts are not published (no repository or
 * version to pin), their API ClusterRole grants `*` on `*`, and they take secrets as plain values, which would put
 * them in the release and the plan. Rendered objects are schema-checked and appear one by one in the offline plan.
 *
 * Order, because the resurrector's tenant replay writes Applications: the CRD, then the controller (it watches
 * Applications from its first start), then the API (it writes them). The Kubernetes provider waits for each
 * Deployment to be available, so {@link LocoControlPlane.ready} resolves only once all three are serving.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConnection } from "../lib/database-connection";
import type { AlternatingUsersState, AlternatingUsersStep } from "./alternating-users";
import { AlternatingDatabaseUsers, type AlternatingUsersDatabase } from "./alternating-database-users";
import { platformNamespaces } from "../lib/platform-namespaces";
import { isQuantity } from "../lib/quantity";
import { registryPullSecretName } from "../lib/registry-pull-secret";
import { platformRoutesLabel } from "../lib/shared-gateway";
import { signingKeySetFiles, signingKeysMount, type SigningKeySet } from "../lib/signing-key-set";
import { applicationCrd } from "../loco/application-crd";
import {
  apiDatabaseUrl,
  apiEnvironment,
  apiSecretData,
  controllerEnvironment,
  controllerSecretData,
  locoSecretNames,
  type LocoPlatformWiring,
  type LogLevel,
} from "../loco/environment";
import { apiClusterRules, apiNamespaceRules, controllerClusterRules, controllerLeaderElectionRules, type PolicyRule } from "../loco/rbac";
import { locoRoute } from "../loco/routes";
import {
  apiDeployment,
  controllerDeployment,
  imagePinProblem,
  imageReference,
  locoDisruptionBudget,
  locoService,
  locoServiceAccount,
  locoWorkloads,
  uiDeployment,
  type ImagePin,
  type LocoWorkload,
  type WorkloadSize,
} from "../loco/workloads";
import { platformNamespace } from "./namespace";
import type { RegistryCredentials } from "./tenant-registry";

export interface LocoControlPlaneArgs {
  /** The three images, each pinned by tag (never `latest`) and optionally by digest. */
  readonly images: {
    /** ghcr.io/team-loco/loco-api at some tag. */
    readonly api: ImagePin;
    /** ghcr.io/team-loco/loco-ui at some tag. */
    readonly ui: ImagePin;
    /** ghcr.io/team-loco/loco-controller at some tag. */
    readonly controller: ImagePin;
  };
  /** Replicas and requests of loco's API. */
  readonly api: WorkloadSize;
  /** Replicas and requests of loco's web UI. */
  readonly ui: WorkloadSize;
  /** Replicas and requests of loco's controller (one leader; more replicas stand by). */
  readonly controller: WorkloadSize;
  /** A PodDisruptionBudget per workload (prod); every workload then needs 2 or more replicas. */
  readonly disruptionBudgets: boolean;
  /** The public names loco serves and tells its pods. */
  readonly hosts: {
    /** The base domain tenant apps live under. */
    readonly baseDomain: string;
    /** Where the UI is served (the apex or `app.{baseDomain}`). */
    readonly webApp: string;
    /** Where the API is served, `api.{baseDomain}`. */
    readonly api: string;
  };
  /** loco's database of record as its own user; the API connects through `pooled`. */
  readonly database: LocoDatabaseArgs;
  /** Harbor, from the registry layer. */
  readonly registry: LocoRegistryArgs;
  /** The GitHub OAuth app loco's users log in with; only a person can create it (secret config). */
  readonly githubOAuth: {
    /** The OAuth app's client ID (secret config, though GitHub shows it to users). */
    readonly clientId: pulumi.Input<string>;
    /** The OAuth app's client secret. */
    readonly clientSecret: pulumi.Input<string>;
  };
  /** Where the pods send OpenTelemetry (lib/telemetry-endpoints.ts) and the environment name on their telemetry. */
  readonly telemetry: LocoPlatformWiring["telemetry"];
  /** The API's log level. */
  readonly logLevel: LogLevel;
  /**
   * The keys loco's API signs its tokens with (lib/signing-key-set.ts), mounted as files so a rotation reaches
   * running pods without a restart. Secret.
   * @default undefined (no key set is mounted)
   */
  readonly signingKeys?: pulumi.Input<SigningKeySet>;
  /**
   * The key ids of the signing key set (nothing secret), on the API's pod template as `loco.dev/signing-keys`: each
   * rotation step (issue, promote, retire) rolls the API, so it picks the set up even if it reads its keys only at
   * start.
   * @default undefined (no annotation)
   */
  readonly signingKeysVersion?: string;
  /** What an HTTPRoute needs first: the Gateway API CRDs and the shared Gateway (the traffic layer's `routesReady`). */
  readonly routesReady: readonly pulumi.Resource[];
}

/**
 * loco's database: a connection used as given (the local stack's URL; secret), or the managed cluster on which this
 * component keeps loco's alternating users `loco_a` / `loco_b` (group role `loco`) and points the API at the user
 * `step` makes active.
 */
export type LocoDatabaseArgs =
  | {
      /** The connection the API uses as is (secret). */
      readonly connection: pulumi.Input<DatabaseConnection>;
    }
  | {
      /** The managed cluster and the addresses the active user's connection is built on. */
      readonly alternatingUsers: AlternatingUsersDatabase;
      /** This run's rotation step (stacks/alternating-users-rotation.ts). */
      readonly step: AlternatingUsersStep;
    };

/** The group role of loco's alternating database users. */
export const locoDatabaseGroup = "loco";

/** Harbor as loco's pods see it. */
export interface LocoRegistryArgs {
  /** Harbor's URL, e.g. https://registry.example.com. */
  readonly url: string;
  /** The registry host in image references. */
  readonly host: string;
  /** The Harbor project tenant images go to. */
  readonly project: string;
  /** `<host>/<project>`. */
  readonly repositoryPrefix: string;
  /** The builder robot (push and pull), for the API. Secret. */
  readonly builder: pulumi.Input<RegistryCredentials>;
  /** The pull-only robot, for the controller. Secret. */
  readonly puller: pulumi.Input<RegistryCredentials>;
  /** The `.dockerconfigjson` of the pull-only robot, which tenant namespaces get as their image pull Secret. Secret. */
  readonly pullSecretDockerConfigJson: pulumi.Input<string>;
}

/** What is serving once loco's control plane is up: the replay may write Applications after this. */
export interface LocoReadiness {
  readonly applicationCrd: string;
  readonly controller: string;
  readonly api: string;
}

/** Pure: a hash of the Secrets a pod reads at start, in a stable key order, for its {@link secretChecksumAnnotation}. */
export function secretChecksum(secrets: readonly Readonly<Record<string, string>>[]): string {
  const hash = createHash("sha256");
  for (const data of secrets) {
    for (const key of Object.keys(data).sort()) hash.update(`${key}\0${data[key]}\0`);
    hash.update("\x01");
  }
  return `sha256:${hash.digest("hex")}`;
}

export class LocoControlPlane extends pulumi.ComponentResource {
  /** loco's namespace (its LOCO_NAMESPACE). */
  public readonly namespace: string;
  public readonly apiUrl: string;
  public readonly webAppUrl: string;
  /** The images running, as pinned. */
  public readonly images: Readonly<Record<LocoWorkload, string>>;
  /** Resolves once the CRD exists and the controller and then the API are available. */
  public readonly ready: pulumi.Output<LocoReadiness>;
  /** The same, as resources to `dependsOn`: the CRD, the controller Deployment, the API Deployment. */
  public readonly readyResources: readonly pulumi.Resource[];
  /** The connection the API uses (the active user's, with alternating users). Secret. */
  public readonly database: pulumi.Output<DatabaseConnection>;
  /** With alternating users: the state this run leaves (active user, password times, counter) for the next run. */
  public readonly databaseUsers?: AlternatingUsersState;

  constructor(name: string, args: LocoControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:control-plane:LocoControlPlane", name, {}, opts);
    validateLocoControlPlaneArgs(name, args, this);
    const namespaceName = platformNamespaces.loco;
    const child = { parent: this };

    // Restricted: every loco pod runs without privileges. Labelled so the platform listeners admit its routes.
    const namespace = platformNamespace(
      `${name}-namespace`,
      { name: namespaceName, podSecurity: "restricted", labels: { [platformRoutesLabel.key]: platformRoutesLabel.value } },
      child,
    );
    const inNamespace = { parent: this, dependsOn: [namespace] };

    const crd = new k8s.apiextensions.v1.CustomResourceDefinition(
      `${name}-application-crd`,
      applicationCrd(),
      // Kept when this stack forgets it: deleting the CRD deletes every Application, and the controller's finalizer
      // would then delete every tenant namespace.
      { parent: this, retainOnDelete: true },
    );

    for (const workload of ["api", "ui", "controller"] as const) {
      new k8s.core.v1.ServiceAccount(`${name}-${workload}-account`, locoServiceAccount(workload, namespaceName), inNamespace);
    }
    const database = this.databaseConnection(name, args.database, namespaceName, inNamespace);
    this.database = database.connection;
    this.databaseUsers = database.state;
    const controllerGrants = this.grant(name, "controller", controllerClusterRules, controllerLeaderElectionRules, inNamespace);
    const apiGrants = this.grant(name, "api", apiClusterRules, apiNamespaceRules, inNamespace);

    const wiring: LocoPlatformWiring = {
      namespace: namespaceName,
      baseDomain: args.hosts.baseDomain,
      apiHost: args.hosts.api,
      registry: {
        url: args.registry.url,
        host: args.registry.host,
        project: args.registry.project,
        repositoryPrefix: args.registry.repositoryPrefix,
      },
      telemetry: args.telemetry,
      logLevel: args.logLevel,
    };

    // The API's DATABASE_URL is the active user's: a switch changes the Secret, hence the checksum, and rolls the pods.
    const apiSecrets = pulumi
      .all([database.connection, args.githubOAuth.clientId, args.githubOAuth.clientSecret, args.registry.builder])
      .apply(([database, clientId, clientSecret, builder]) =>
        apiSecretData({
          databaseUrl: apiDatabaseUrl(database.pooled),
          githubOAuthClientId: clientId,
          githubOAuthClientSecret: clientSecret,
          registryBuilder: builder,
        }),
      );
    const controllerSecrets = pulumi.output(args.registry.puller).apply((puller) => controllerSecretData({ registryPuller: puller }));
    const pullSecret = pulumi
      .output(args.registry.pullSecretDockerConfigJson)
      .apply((json): Record<string, string> => ({ ".dockerconfigjson": json }));
    const apiSecret = this.secret(`${name}-api-env`, locoSecretNames.api, "Opaque", apiSecrets, inNamespace);
    const controllerSecret = this.secret(`${name}-controller-env`, locoSecretNames.controller, "Opaque", controllerSecrets, inNamespace);
    // The pull-only robot as a ready image pull Secret: what a Harbor-aware controller copies into each tenant namespace.
    const registryPull = this.secret(
      `${name}-registry-pull`,
      registryPullSecretName,
      "kubernetes.io/dockerconfigjson",
      pullSecret,
      inNamespace,
    );
    const signingKeys =
      args.signingKeys === undefined
        ? undefined
        : this.secret(
            `${name}-signing-keys`,
            signingKeysMount.secretName,
            "Opaque",
            pulumi.output(args.signingKeys).apply((set) => signingKeySetFiles(set)),
            inNamespace,
          );

    // A hash of what each pod reads at start, in its template: a changed credential rolls the pods. The hash reveals
    // nothing a reader could use (it covers random passwords), so it is shown in previews rather than hiding the spec.
    // The signing keys are left out: their files are updated in place, and their key ids roll the API through
    // `signingKeysVersion` without putting anything derived from a private key on the pod template.
    const checksum = (...secrets: pulumi.Output<Record<string, string>>[]) =>
      pulumi.unsecret(pulumi.all(secrets).apply((data) => secretChecksum(data)));

    const controller = new k8s.apps.v1.Deployment(
      `${name}-controller`,
      deploymentArgs(
        (secretChecksum) =>
          controllerDeployment({
            namespace: namespaceName,
            image: imageReference(args.images.controller),
            size: args.controller,
            env: controllerEnvironment(wiring),
            secretChecksum,
          }),
        checksum(controllerSecrets, pullSecret),
      ),
      // It watches Applications from its first start and cannot without the CRD; its Secret and rights come first too.
      { parent: this, dependsOn: [namespace, crd, controllerSecret, registryPull, ...controllerGrants] },
    );

    const api = new k8s.apps.v1.Deployment(
      `${name}-api`,
      deploymentArgs(
        (secretChecksum) =>
          withPodAnnotations(
            apiDeployment({
              namespace: namespaceName,
              image: imageReference(args.images.api),
              size: args.api,
              env: apiEnvironment(wiring, { signingKeys: signingKeys !== undefined }),
              secretChecksum,
              signingKeys: signingKeys !== undefined,
            }),
            args.signingKeysVersion === undefined ? {} : { [signingKeysAnnotation]: args.signingKeysVersion },
          ),
        checksum(apiSecrets),
      ),
      // The API writes Applications: only once the CRD exists and the controller that acts on them is available. With
      // alternating users, only once the user it switches to has its new password.
      {
        parent: this,
        dependsOn: [namespace, crd, controller, apiSecret, ...apiGrants, ...database.ready, ...(signingKeys ? [signingKeys] : [])],
      },
    );

    new k8s.apps.v1.Deployment(
      `${name}-ui`,
      uiDeployment({ namespace: namespaceName, image: imageReference(args.images.ui), size: args.ui }) as k8s.apps.v1.DeploymentArgs,
      inNamespace,
    );

    for (const workload of ["api", "ui"] as const) {
      new k8s.core.v1.Service(`${name}-${workload}-service`, locoService(workload, namespaceName), inNamespace);
      new k8s.apiextensions.CustomResource(
        `${name}-${workload}-route`,
        locoRoute(workload, workload === "api" ? args.hosts.api : args.hosts.webApp, namespaceName) as k8s.apiextensions.CustomResourceArgs,
        // The Gateway API CRDs must exist for the kind, and the Gateway for the route to attach to.
        { parent: this, dependsOn: [namespace, ...args.routesReady] },
      );
    }
    if (args.disruptionBudgets) {
      for (const workload of ["api", "ui", "controller"] as const) {
        new k8s.policy.v1.PodDisruptionBudget(`${name}-${workload}-budget`, locoDisruptionBudget(workload, namespaceName), inNamespace);
      }
    }

    this.namespace = namespaceName;
    this.apiUrl = `https://${args.hosts.api}`;
    this.webAppUrl = `https://${args.hosts.webApp}`;
    this.images = {
      api: imageReference(args.images.api),
      ui: imageReference(args.images.ui),
      controller: imageReference(args.images.controller),
    };
    this.readyResources = [crd, controller, api];
    this.ready = pulumi.all([crd.metadata.name, controller.metadata, api.metadata]).apply(([crdName, controllerMeta, apiMeta]) => ({
      applicationCrd: crdName,
      controller: `${controllerMeta.namespace}/${controllerMeta.name}`,
      api: `${apiMeta.namespace}/${apiMeta.name}`,
    }));
    this.registerOutputs({ namespace: this.namespace, apiUrl: this.apiUrl, webAppUrl: this.webAppUrl, ready: this.ready });
  }

  /** The API's connection: as given, or the active one of loco's alternating users, made by a Job in loco's namespace. */
  private databaseConnection(
    name: string,
    database: LocoDatabaseArgs,
    namespace: string,
    opts: pulumi.CustomResourceOptions,
  ): { connection: pulumi.Output<DatabaseConnection>; ready: pulumi.Resource[]; state?: AlternatingUsersState } {
    if ("connection" in database) return { connection: pulumi.secret(pulumi.output(database.connection)), ready: [] };
    const users = new AlternatingDatabaseUsers(
      `${name}-database-users`,
      { namespace, jobName: "loco-database-users", database: database.alternatingUsers, base: locoDatabaseGroup, step: database.step },
      { ...opts, parent: this },
    );
    return { connection: users.connection, ready: [users.setup], state: users.state };
  }

  /** A workload's ClusterRole and Role, each bound to its service account alone; returns the bindings. */
  private grant(
    name: string,
    workload: "api" | "controller",
    clusterRules: readonly PolicyRule[],
    namespaceRules: readonly PolicyRule[],
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Resource[] {
    const objectName = locoWorkloads[workload].name;
    const namespace = platformNamespaces.loco;
    const labels = { "app.kubernetes.io/part-of": "loco" };
    const subjects = [{ kind: "ServiceAccount", name: locoWorkloads[workload].serviceAccount, namespace }];
    const clusterRole = new k8s.rbac.v1.ClusterRole(
      `${name}-${workload}-cluster-role`,
      { metadata: { name: objectName, labels }, rules: clusterRules.map((rule) => ({ ...rule })) },
      { parent: this },
    );
    const role = new k8s.rbac.v1.Role(
      `${name}-${workload}-role`,
      { metadata: { name: objectName, namespace, labels }, rules: namespaceRules.map((rule) => ({ ...rule })) },
      opts,
    );
    return [
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-${workload}-cluster-binding`,
        {
          metadata: { name: objectName, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
          subjects,
        },
        { parent: this },
      ),
      new k8s.rbac.v1.RoleBinding(
        `${name}-${workload}-binding`,
        {
          metadata: { name: objectName, namespace, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
          subjects,
        },
        opts,
      ),
    ];
  }

  /** A Secret in loco's namespace whose whole content is secret. */
  private secret(
    resourceName: string,
    secretName: string,
    type: string,
    data: pulumi.Output<Record<string, string>>,
    opts: pulumi.CustomResourceOptions,
  ): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
      resourceName,
      { metadata: { name: secretName, namespace: platformNamespaces.loco }, type, stringData: pulumi.secret(data) },
      opts,
    );
  }
}

/** The API pod template annotation carrying the signing key set's key ids (`<active>;<accepted,...>`). */
export const signingKeysAnnotation = "loco.dev/signing-keys";

/** Pure: a Deployment with more annotations on its pod template. */
function withPodAnnotations(
  deployment: ReturnType<typeof apiDeployment>,
  annotations: Record<string, string>,
): ReturnType<typeof apiDeployment> {
  if (Object.keys(annotations).length === 0) return deployment;
  const template = deployment.spec?.template;
  return {
    ...deployment,
    spec: {
      ...deployment.spec,
      selector: deployment.spec?.selector ?? {},
      template: { ...template, metadata: { ...template?.metadata, annotations: { ...template?.metadata?.annotations, ...annotations } } },
    },
  };
}

/**
 * A Deployment's arguments when its pod template carries the secret checksum, an Output: the metadata is known at
 * once (a preview shows the name even while the credentials are still unknown), the spec once the checksum is.
 */
function deploymentArgs(build: (secretChecksum?: string) => ReturnType<typeof apiDeployment>, checksum: pulumi.Output<string>) {
  return { metadata: build().metadata, spec: checksum.apply((value) => build(value).spec) } as k8s.apps.v1.DeploymentArgs;
}

/** Pure: throws a ResourceError naming the first bad field. Config validation catches these first. */
export function validateLocoControlPlaneArgs(name: string, args: LocoControlPlaneArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`LocoControlPlane ${name}: ${field} ${why}`, resource);
  };
  for (const workload of ["api", "ui", "controller"] as const) {
    const problem = imagePinProblem(args.images[workload]);
    if (problem) fail(`images.${workload}`, problem);
    const size = args[workload];
    if (!Number.isInteger(size.replicas) || size.replicas < 1)
      fail(`${workload}.replicas`, `must be a positive integer, got ${size.replicas}`);
    if (!isQuantity(size.cpu)) fail(`${workload}.cpu`, `"${size.cpu}" is not a Kubernetes quantity`);
    if (!isQuantity(size.memory)) fail(`${workload}.memory`, `"${size.memory}" is not a Kubernetes quantity`);
    if (args.disruptionBudgets && size.replicas < 2) {
      fail(`${workload}.replicas`, `must be at least 2 with disruptionBudgets: a budget over one pod would block every node drain`);
    }
  }
  if (args.hosts.api === args.hosts.webApp) fail("hosts.api", `must differ from hosts.webApp (${args.hosts.webApp})`);
}

/**
 * loco's API, UI and controller as Kubernetes objects: Deployments on the core pool, their Services, service
 * accounts and disruption budgets. Pure builders; components/loco-control-plane.ts declares what they return.
 *
 * Every pod runs under the "restricted" Pod Security Standard: non-root with the image's own user (distroless
 * `nonroot` for the API and controller, nginx's 101 for the UI), no privilege escalation, no capabilities, a
 * read-only root filesystem (the UI's nginx gets an emptyDir at /tmp for its pid and buffers, where loco's
 * nginx.conf puts them), and the runtime's default seccomp profile.
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { corePoolPlacement } from "../lib/core-pool";
import { signingKeysMount } from "../lib/signing-key-set";
import { locoPorts } from "./environment";

/** An image pinned by tag, and optionally by digest (then the digest is what runs). */
export interface ImagePin {
  /** Registry and repository, e.g. ghcr.io/team-loco/loco-api. */
  readonly repository: string;
  /** A tag other than `latest`, e.g. loco's `sha-<commit>` tags. */
  readonly tag: string;
  /**
   * `sha256:<64 hex>`: pins the exact image even if the tag is moved.
   * @default undefined (the tag alone)
   */
  readonly digest?: string;
}

/** Replicas and the requests of each pod. */
export interface WorkloadSize {
  /** Pod replicas; 2 or more to survive a node drain. */
  readonly replicas: number;
  /** CPU request. */
  readonly cpu: string;
  /** Memory request and limit. */
  readonly memory: string;
}

export type LocoWorkload = "api" | "ui" | "controller";

/** Object names and the identity each workload runs as. */
export const locoWorkloads = {
  api: { name: "loco-api", serviceAccount: "loco-api", uid: 65532 },
  ui: { name: "loco-ui", serviceAccount: "loco-ui", uid: 101 },
  controller: { name: "loco-controller", serviceAccount: "loco-controller", uid: 65532 },
} as const satisfies Record<LocoWorkload, { name: string; serviceAccount: string; uid: number }>;

/** Pod template annotation holding a hash of the Secrets a pod reads at start: a change rolls the pods. */
export const secretChecksumAnnotation = "loco.dev/secret-checksum";

/** Pure: the image reference a pod runs. */
export function imageReference(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}${pin.digest ? `@${pin.digest}` : ""}`;
}

/** Docker's grammar for a tag; a digest as registries print it. */
export const imageTagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const imageDigestPattern = /^sha256:[a-f0-9]{64}$/;
export const imageRepositoryPattern = /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

/** Pure: why an image pin is unusable, or undefined. `latest` is refused: it moves, so what runs would not be what was reviewed. */
export function imagePinProblem(pin: ImagePin): string | undefined {
  if (!imageRepositoryPattern.test(pin.repository)) return `repository "${pin.repository}" is not a registry/repository path`;
  if (pin.tag.toLowerCase() === "latest") return 'tag must not be "latest": pin a version such as sha-<commit>';
  if (!imageTagPattern.test(pin.tag)) return `tag "${pin.tag}" is not a valid image tag`;
  if (pin.digest !== undefined && !imageDigestPattern.test(pin.digest)) return `digest "${pin.digest}" is not sha256:<64 hex>`;
  return undefined;
}

type Named<T> = T & { metadata: { name: string; namespace: string } };

const labelsOf = (workload: LocoWorkload) => ({
  "app.kubernetes.io/name": locoWorkloads[workload].name,
  "app.kubernetes.io/component": workload,
  "app.kubernetes.io/part-of": "loco",
});
const selectorOf = (workload: LocoWorkload) => ({ "app.kubernetes.io/name": locoWorkloads[workload].name });

export interface DeploymentInput {
  /** loco's namespace. */
  readonly namespace: string;
  /** The image reference ({@link imageReference}). */
  readonly image: string;
  readonly size: WorkloadSize;
  /** The container's environment ({@link ./environment}). */
  readonly env: readonly IEnvVar[];
  /**
   * Hash of the Secrets the pod reads at start ({@link secretChecksumAnnotation}).
   * @default undefined (no annotation: the pod reads no Secret)
   */
  readonly secretChecksum?: string;
}

/** A container that can change nothing on its node or its own filesystem. */
const restrictedContainer = (): IContainer["securityContext"] => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
});

function podSpec(workload: LocoWorkload, size: WorkloadSize, containers: IContainer[], extra: Partial<IPodSpec> = {}): IPodSpec {
  const { uid, serviceAccount } = locoWorkloads[workload];
  return {
    ...corePoolPlacement(),
    serviceAccountName: serviceAccount,
    // Only the API and the controller talk to the Kubernetes API; the UI's pods get no token at all.
    automountServiceAccountToken: workload !== "ui",
    securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: "RuntimeDefault" } },
    // Replicas on different nodes, so a node lost or drained takes one at most; unusable nodes do not count.
    ...(size.replicas > 1
      ? {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "DoNotSchedule",
              nodeTaintsPolicy: "Honor",
              labelSelector: { matchLabels: selectorOf(workload) },
            },
          ],
        }
      : {}),
    containers,
    ...extra,
  };
}

function deployment(workload: LocoWorkload, input: DeploymentInput, spec: IPodSpec): Named<IDeployment> {
  const { name } = locoWorkloads[workload];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: input.namespace, labels: labelsOf(workload) },
    spec: {
      replicas: input.size.replicas,
      selector: { matchLabels: selectorOf(workload) },
      // A new pod is ready before an old one goes: a rollout (or a credential change) never drops capacity.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labelsOf(workload),
          ...(input.secretChecksum === undefined ? {} : { annotations: { [secretChecksumAnnotation]: input.secretChecksum } }),
        },
        spec,
      },
    },
  };
}

const resources = (size: WorkloadSize) => ({ requests: { cpu: size.cpu, memory: size.memory }, limits: { memory: size.memory } });

/** Pure: loco's API. `signingKeys` mounts the signing key set's Secret (lib/signing-key-set.ts). */
export function apiDeployment(input: DeploymentInput & { readonly signingKeys: boolean }): Named<IDeployment> {
  const health = { httpGet: { path: "/health", port: "http" } };
  const container: IContainer = {
    name: "api",
    image: input.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http", containerPort: locoPorts.api, protocol: "TCP" }],
    env: [...input.env],
    resources: resources(input.size),
    // The API connects to its database before it listens; give that a minute before liveness counts.
    startupProbe: { ...health, periodSeconds: 2, failureThreshold: 30 },
    readinessProbe: { ...health, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { ...health, periodSeconds: 20, failureThreshold: 3 },
    securityContext: restrictedContainer(),
    ...(input.signingKeys ? { volumeMounts: [{ name: "signing-keys", mountPath: signingKeysMount.directory, readOnly: true }] } : {}),
  };
  const volumes = input.signingKeys ? [{ name: "signing-keys", secret: { secretName: signingKeysMount.secretName } }] : undefined;
  return deployment("api", input, podSpec("api", input.size, [container], volumes ? { volumes } : {}));
}

/** Pure: loco's web UI, static files served by nginx. */
export function uiDeployment(input: Omit<DeploymentInput, "env">): Named<IDeployment> {
  const probe = { httpGet: { path: "/", port: "http" } };
  const container: IContainer = {
    name: "ui",
    image: input.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http", containerPort: locoPorts.ui, protocol: "TCP" }],
    resources: resources(input.size),
    readinessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { ...probe, periodSeconds: 20, failureThreshold: 3 },
    securityContext: restrictedContainer(),
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
  return deployment("ui", { ...input, env: [] }, podSpec("ui", input.size, [container], { volumes: [{ name: "tmp", emptyDir: {} }] }));
}

/** Pure: loco's controller. One leader reconciles; a second replica only stands by to take over. */
export function controllerDeployment(input: DeploymentInput): Named<IDeployment> {
  const health = (path: string) => ({ httpGet: { path, port: "health" } });
  const container: IContainer = {
    name: "manager",
    image: input.image,
    imagePullPolicy: "IfNotPresent",
    command: ["/manager"],
    // Metrics off: nothing scrapes Prometheus here, and serving them securely would need TokenReview rights.
    args: ["--leader-elect", `--health-probe-bind-address=:${locoPorts.controllerHealth}`, "--metrics-bind-address=0"],
    ports: [{ name: "health", containerPort: locoPorts.controllerHealth, protocol: "TCP" }],
    env: [...input.env],
    resources: resources(input.size),
    readinessProbe: { ...health("/readyz"), initialDelaySeconds: 5, periodSeconds: 10 },
    livenessProbe: { ...health("/healthz"), initialDelaySeconds: 15, periodSeconds: 20 },
    securityContext: restrictedContainer(),
  };
  return deployment("controller", input, podSpec("controller", input.size, [container], { terminationGracePeriodSeconds: 10 }));
}

/** Pure: the Service the shared Gateway routes to. */
export function locoService(workload: "api" | "ui", namespace: string): Named<IService> {
  const { name } = locoWorkloads[workload];
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, labels: labelsOf(workload) },
    spec: {
      type: "ClusterIP",
      selector: selectorOf(workload),
      ports: [
        {
          name: "http",
          port: 80,
          targetPort: "http",
          protocol: "TCP",
          // The API serves Connect and gRPC over h2c: Envoy must speak HTTP/2 to it, which this tells Envoy Gateway.
          ...(workload === "api" ? { appProtocol: "kubernetes.io/h2c" } : {}),
        },
      ],
    },
  };
}

/** Pure: a workload's own service account; the UI's never mounts a token. */
export function locoServiceAccount(workload: LocoWorkload, namespace: string): Named<IServiceAccount> {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: locoWorkloads[workload].serviceAccount, namespace, labels: labelsOf(workload) },
    automountServiceAccountToken: workload !== "ui",
  };
}

/** Pure: at most one pod of the workload evicted at a time (a drain waits for its replacement to be ready). */
export function locoDisruptionBudget(workload: LocoWorkload, namespace: string): Named<IPodDisruptionBudget> {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: locoWorkloads[workload].name, namespace, labels: labelsOf(workload) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(workload) } },
  };
}

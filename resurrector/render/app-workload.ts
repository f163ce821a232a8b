/**
 * The app's pods: a Deployment of one restricted container on the app pools, with the environment loco injects,
 * and a PodDisruptionBudget when at least two replicas always run. A kind adds what its container serves (ports,
 * probes) through {@link ContainerServing}; everything else is the same for every kind.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import { appPoolName, poolLabelKey } from "../../lib/core-pool";
import { registryPullSecretName } from "../../lib/registry-pull-secret";
import { appTelemetryEnv } from "../../lib/telemetry-endpoints";
import type { AppIdentity } from "./app-identity";
import type { AppSpec, SiblingApp, TenantAppInput } from "./app-input";
import { environmentSecretName } from "./app-secrets";
import { siblingUrlVariable } from "./names";
import { compareStrings, type TenantObject } from "./objects";

/** What a kind's container serves: ports and probes (a service), or nothing (a worker). */
export type ContainerServing = Pick<IContainer, "ports" | "startupProbe" | "readinessProbe" | "livenessProbe">;

const restrictedContainer = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" as const },
};

/** LOCO_APP_NAME, LOCO_DEPLOYMENT_ID, LOCO_PROFILE, the telemetry endpoints and LOCO_<SIBLING>_URL per sibling. */
export function injectedEnvironment(input: TenantAppInput, warnings: string[]): { name: string; value: string }[] {
  const byVariable = new Map<string, SiblingApp[]>();
  for (const sibling of input.siblings) {
    if (sibling.appName === input.resource.name) continue;
    const variable = siblingUrlVariable(sibling.appName);
    const apps = byVariable.get(variable);
    if (apps) apps.push(sibling);
    else byVariable.set(variable, [sibling]);
  }
  const siblings: { name: string; value: string }[] = [];
  for (const [variable, apps] of [...byVariable].sort(([a], [b]) => compareStrings(a, b))) {
    if (apps.length > 1) {
      warnings.push(`${variable} not set: sibling apps ${apps.map((a) => a.appName).join(", ")} map to the same variable`);
    } else {
      siblings.push({ name: variable, value: apps[0].url });
    }
  }
  return [
    { name: "LOCO_APP_NAME", value: input.resource.name },
    { name: "LOCO_DEPLOYMENT_ID", value: input.deployment.id },
    { name: "LOCO_PROFILE", value: input.context.environment },
    ...Object.entries(appTelemetryEnv).map(([name, value]) => ({ name, value })),
    ...siblings,
  ];
}

/** The app's Deployment, starting with `initialReplicas`. */
export function deploymentObject(
  input: TenantAppInput<AppSpec>,
  id: AppIdentity,
  initialReplicas: number,
  serving: ContainerServing,
  warnings: string[],
): TenantObject {
  const { spec } = input;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
    spec: {
      // A rebuilt app starts where loco last had it; from then on KEDA's HPA owns the count (when it scales).
      replicas: initialReplicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: id.selector },
      // Never fewer ready pods than before while rolling out.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: id.labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          imagePullSecrets: [{ name: registryPullSecretName }],
          nodeSelector: { [poolLabelKey]: appPoolName },
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: id.selector },
            },
          ],
          containers: [
            {
              name: "app",
              image: spec.image,
              imagePullPolicy: "IfNotPresent",
              ...(serving.ports ? { ports: serving.ports } : {}),
              env: injectedEnvironment(input, warnings),
              ...(input.environment !== undefined ? { envFrom: [{ secretRef: { name: environmentSecretName(id.name) } }] } : {}),
              // No CPU limit: throttling hurts latency and requests already reserve the share; memory is capped at
              // the request so one app cannot push its node into OOM for others.
              resources: { requests: { cpu: spec.cpu, memory: spec.memory }, limits: { memory: spec.memory } },
              ...(serving.startupProbe ? { startupProbe: serving.startupProbe } : {}),
              ...(serving.readinessProbe ? { readinessProbe: serving.readinessProbe } : {}),
              ...(serving.livenessProbe ? { livenessProbe: serving.livenessProbe } : {}),
              securityContext: restrictedContainer,
            },
          ],
        },
      },
    },
  };
}

/** A budget only when at least two replicas always run: with fewer, it would only block node drains. */
export function disruptionBudget(id: AppIdentity, minReplicas: number): TenantObject[] {
  if (minReplicas < 2) return [];
  return [
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: id.selector } },
    },
  ];
}

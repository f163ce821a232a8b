/**
 * The Secrets an app needs: the registry pull credentials (from the registry layer) and its stored environment
 * (from the sealed store). When planning, their contents are not in hand: they are named, not filled.
 */
import { registryPullSecretName } from "../../lib/registry-pull-secret";
import type { AppIdentity } from "./app-identity";
import type { TenantAppInput, TenantSecret } from "./app-input";
import { compareStrings } from "./objects";

const secretKey = /^[-._a-zA-Z0-9]+$/;

/** Why a stored environment cannot become a Secret (its keys must be valid Secret keys); empty when it can. */
export function environmentProblems(values: Readonly<Record<string, string>>): string[] {
  const badKeys = Object.keys(values)
    .filter((key) => !secretKey.test(key) || key.length > 253)
    .sort(compareStrings);
  return badKeys.length > 0
    ? [`the stored environment has keys a Secret cannot hold: ${badKeys.map((k) => JSON.stringify(k)).join(", ")}`]
    : [];
}

/** The Secret holding an app's stored environment, loaded into its container with `envFrom`. */
export const environmentSecretName = (appObjectName: string) => `${appObjectName}-env`;

/** The app's Secrets, and why its stored environment cannot be one (when its values are in hand). */
export function appSecrets(input: TenantAppInput, id: AppIdentity): { secrets: TenantSecret[]; problems: string[] } {
  const problems: string[] = [];
  const secrets: TenantSecret[] = [
    {
      namespace: id.namespace,
      name: registryPullSecretName,
      source: "registry layer",
      object:
        input.registryPullConfig === undefined
          ? undefined
          : {
              apiVersion: "v1",
              kind: "Secret",
              metadata: { name: registryPullSecretName, namespace: id.namespace, labels: id.labels },
              type: "kubernetes.io/dockerconfigjson",
              stringData: { ".dockerconfigjson": input.registryPullConfig },
            },
    },
  ];
  if (input.environment) {
    const values = "values" in input.environment ? input.environment.values : undefined;
    if (values) problems.push(...environmentProblems(values));
    secrets.push({
      namespace: id.namespace,
      name: environmentSecretName(id.name),
      source: "tenant environment store",
      object: values && {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: environmentSecretName(id.name), namespace: id.namespace, labels: id.labels },
        type: "Opaque",
        stringData: Object.fromEntries(Object.entries(values).sort(([a], [b]) => compareStrings(a, b))),
      },
    });
  }
  return { secrets, problems };
}

/** The objects of the Secrets whose contents are in hand. */
export const secretObjects = (secrets: readonly TenantSecret[]) => secrets.flatMap((secret) => (secret.object ? [secret.object] : []));

/**
 * Which of the cluster's Secrets the snapshot keeps, mapped back to what loco's database knows:
 *
 * - an app's environment: the Secret loco's controller makes from an Application (`resource-<id>-env` in namespace
 *   `wks-<workspace id>-res-<id>`), or the one this project's renderer makes in `objects` mode (`<app>-env` in the
 *   app's namespace, labelled with its loco app id); it must belong to an app with an active deployment on the
 *   cluster, in the namespace that app's ids give;
 * - a certificate: a `kubernetes.io/tls` Secret cert-manager issued (its `cert-manager.io/certificate-name`
 *   annotation), whose certificate names a platform domain or a domain of an app on the cluster.
 *
 * Every other Secret is none of the snapshot's business and is not reported. A candidate that maps to no app, or
 * cannot be read, is reported with the reason, never with its content (not even its key names: they are sealed too).
 */
import { tenantLabels } from "../../lib/tenant-labels";
import type { ClusterSnapshot } from "../db/records";
import { environmentSecretName } from "../render/app-secrets";
import { appObjectName, normalizeHostname, tenantNamespace } from "../render/names";
import type { PreservedSecret } from "../store/certificates";
import { certificateDetails } from "./certificate-details";
import type { ClusterSecret } from "./cluster-secrets";

export type MappedSecret =
  | {
      readonly kind: "environment";
      readonly secret: string;
      readonly resourceId: string;
      readonly values: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: "certificate";
      readonly secret: string;
      readonly namespace: string;
      readonly name: string;
      readonly dnsNames: readonly string[];
      readonly notAfter: Date;
      readonly preserved: PreservedSecret;
      /** The apps whose domains it covers; empty for a platform certificate. */
      readonly resourceIds: readonly string[];
    }
  | {
      readonly kind: "skipped" | "malformed";
      readonly what: "environment" | "certificate";
      readonly secret: string;
      readonly resourceId?: string;
      readonly reason: string;
    };

const applicationEnvironment = /^resource-(\d+)-env$/;
const certificateNameAnnotation = "cert-manager.io/certificate-name";
/** Volatile or client-side bookkeeping that would make an unchanged certificate look changed. */
const droppedAnnotations = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

const secretPath = (secret: ClusterSecret) => `${secret.namespace}/${secret.name}`;

class MalformedSecret extends Error {}

/** A Secret value as text; the message names neither the key nor the value. */
function decodeValue(encoded: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new MalformedSecret("a value is not base64");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(encoded, "base64"));
  } catch {
    throw new MalformedSecret("a value is not UTF-8 text");
  }
}

interface AppRef {
  readonly resourceId: string;
  readonly workspaceId: string;
  readonly name: string;
}

/** Maps every Secret the snapshot cares about; the rest is left out. */
export function mapSecrets(secrets: readonly ClusterSecret[], cluster: ClusterSnapshot): MappedSecret[] {
  const apps = new Map<string, AppRef>(
    cluster.deployments.map((d) => [d.resource.id, { resourceId: d.resource.id, workspaceId: d.workspace.id, name: d.resource.name }]),
  );
  const mapped: MappedSecret[] = [];
  const environmentOf = new Map<string, string>();
  // loco's own (application mode) Secrets first: an app being moved between modes keeps loco's as its environment.
  const ordered = [...secrets].sort(
    (a, b) =>
      Number(!applicationEnvironment.test(a.name)) - Number(!applicationEnvironment.test(b.name)) ||
      (secretPath(a) < secretPath(b) ? -1 : 1),
  );
  for (const secret of ordered) {
    const environment = mapEnvironment(secret, apps, cluster.cluster.name);
    if (environment) {
      if (environment.kind === "environment") {
        const earlier = environmentOf.get(environment.resourceId);
        if (earlier) {
          mapped.push({
            kind: "skipped",
            what: "environment",
            secret: environment.secret,
            resourceId: environment.resourceId,
            reason: `app ${environment.resourceId}'s environment was already read from ${earlier}`,
          });
          continue;
        }
        environmentOf.set(environment.resourceId, environment.secret);
      }
      mapped.push(environment);
      continue;
    }
    const certificate = mapCertificate(secret, cluster);
    if (certificate) mapped.push(certificate);
  }
  return mapped.sort((a, b) => (a.secret < b.secret ? -1 : a.secret > b.secret ? 1 : 0));
}

function mapEnvironment(secret: ClusterSecret, apps: ReadonlyMap<string, AppRef>, clusterName: string): MappedSecret | undefined {
  const fromApplication = applicationEnvironment.exec(secret.name)?.[1];
  const labelled = secret.labels[tenantLabels.appId];
  const fromRenderer = labelled !== undefined && secret.name.endsWith("-env") ? labelled : undefined;
  const resourceId = fromApplication ?? fromRenderer;
  if (resourceId === undefined) return undefined;
  const path = secretPath(secret);
  const skip = (reason: string): MappedSecret => ({ kind: "skipped", what: "environment", secret: path, resourceId, reason });
  const app = apps.get(resourceId);
  if (!app) return skip(`resource ${resourceId} has no active deployment on cluster ${clusterName}`);
  const expected = fromApplication
    ? { namespace: `wks-${app.workspaceId}-res-${app.resourceId}`, name: secret.name }
    : { namespace: tenantNamespace(app.workspaceId, app.name), name: environmentSecretName(appObjectName(app.name)) };
  if (secret.namespace !== expected.namespace || secret.name !== expected.name) {
    return skip(`app ${resourceId}'s environment Secret would be ${expected.namespace}/${expected.name}`);
  }
  try {
    const values = Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, decodeValue(value)]));
    return { kind: "environment", secret: path, resourceId, values };
  } catch (error) {
    if (!(error instanceof MalformedSecret)) throw error;
    return { kind: "malformed", what: "environment", secret: path, resourceId, reason: error.message };
  }
}

/** Whether `dnsName` (maybe a wildcard) is `domain` or a name under it. */
const under = (dnsName: string, domain: string) => dnsName === domain || dnsName.endsWith(`.${domain}`);

/** Whether `dnsName` is `hostname`, or a wildcard covering it. */
const covers = (dnsName: string, hostname: string) =>
  dnsName === hostname ||
  (dnsName.startsWith("*.") && hostname.endsWith(dnsName.slice(1)) && !hostname.slice(0, -dnsName.length + 1).includes("."));

function mapCertificate(secret: ClusterSecret, cluster: ClusterSnapshot): MappedSecret | undefined {
  if (secret.type !== "kubernetes.io/tls" || secret.annotations[certificateNameAnnotation] === undefined) return undefined;
  const path = secretPath(secret);
  const malformed = (reason: string): MappedSecret => ({ kind: "malformed", what: "certificate", secret: path, reason });
  const crt = secret.data["tls.crt"];
  const key = secret.data["tls.key"];
  if (!crt) return malformed("it has no tls.crt");
  if (!key) return malformed("it has no tls.key");
  let details;
  try {
    decodeValue(key);
    details = certificateDetails(decodeValue(crt));
  } catch (error) {
    return malformed((error as Error).message);
  }
  const platformDomains = cluster.platformDomains.filter((d) => d.isActive).map((d) => normalizeHostname(d.domain));
  const platform = details.dnsNames.some((name) => platformDomains.some((domain) => under(name, domain)));
  const resourceIds = [
    ...new Set(
      cluster.domains.filter((d) => details.dnsNames.some((name) => covers(name, normalizeHostname(d.domain)))).map((d) => d.resourceId),
    ),
  ].sort();
  if (!platform && resourceIds.length === 0) {
    return {
      kind: "skipped",
      what: "certificate",
      secret: path,
      reason: `it names neither a platform domain nor a domain of an app on cluster ${cluster.cluster.name}`,
    };
  }
  const annotations = Object.fromEntries(Object.entries(secret.annotations).filter(([name]) => !droppedAnnotations.has(name)));
  return {
    kind: "certificate",
    secret: path,
    namespace: secret.namespace,
    name: secret.name,
    dnsNames: details.dnsNames,
    notAfter: details.notAfter,
    preserved: { type: secret.type, data: { ...secret.data }, labels: { ...secret.labels }, annotations },
    resourceIds,
  };
}

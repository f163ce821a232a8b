/**
 * Deterministic stand-ins for values only the cloud can compute (ids, addresses, endpoints, generated secrets)
 * and for data-source answers. Every one is recognisable: strings carry "offline-placeholder", hosts end in
 * ".invalid" and addresses come from the documentation range 203.0.113.0/24, so nobody mistakes a plan for a
 * real environment. An invoke without a placeholder here fails loudly: a new data source cannot slip by unmocked.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

export const placeholderMarker = "offline-placeholder";

export interface Placeholder {
  readonly id: string;
  /** Outputs the provider would compute; merged over the inputs. */
  readonly state: Record<string, unknown>;
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex");
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]/g, "-");
const host = (name: string, zone: string) => `${placeholderMarker}-${slug(name)}.${zone}.invalid`;
/** The fixed instant every placeholder timestamp derives from. */
export const placeholderEpoch = "2026-01-01T00:00:00Z";

type Builder = (name: string, inputs: Record<string, unknown>) => Record<string, unknown>;

const databaseEndpoint = (name: string, port: number, user: string, database: string) => {
  const password = `${placeholderMarker}-password-${digest(name).slice(0, 12)}`;
  const publicHost = host(name, "db.ondigitalocean");
  const privateHost = host(`private-${name}`, "db.ondigitalocean");
  const uri = (h: string) => `postgresql://${user}:${password}@${h}:${port}/${database}?sslmode=require`;
  return { host: publicHost, privateHost, port, password, uri: uri(publicHost), privateUri: uri(privateHost) };
};

const resourceOutputs: Record<string, Builder> = {
  "digitalocean:index/kubernetesCluster:KubernetesCluster": (name) => ({
    endpoint: `https://${host(name, "k8s.ondigitalocean")}`,
    ipv4Address: "203.0.113.1",
    clusterUrn: `do:kubernetes:${placeholderMarker}-${slug(name)}`,
    kubeConfigs: [{ clusterCaCertificate: Buffer.from(`${placeholderMarker} CA for ${name}`).toString("base64") }],
  }),
  "digitalocean:index/databaseCluster:DatabaseCluster": (name) => ({
    ...databaseEndpoint(name, 25060, "doadmin", "defaultdb"),
    user: "doadmin",
    database: "defaultdb",
  }),
  "digitalocean:index/databaseUser:DatabaseUser": (name) => ({
    password: `${placeholderMarker}-password-${digest(name).slice(0, 12)}`,
    role: "normal",
  }),
  "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": (name, inputs) =>
    databaseEndpoint(name, 25061, String(inputs.user ?? "doadmin"), String(inputs.name ?? name)),
  "digitalocean:index/spacesKey:SpacesKey": (name) => ({
    accessKey: `${placeholderMarker.toUpperCase()}-${digest(name).slice(0, 12).toUpperCase()}`,
    secretKey: `${placeholderMarker}-spaces-secret-${digest(`${name}/secret`).slice(0, 24)}`,
  }),
  "digitalocean:index/loadBalancer:LoadBalancer": (name) => ({
    // Deterministic per name inside the documentation range, clear of the cluster's .1.
    ip: `203.0.113.${10 + (parseInt(digest(name).slice(0, 4), 16) % 240)}`,
    loadBalancerUrn: `do:loadbalancer:${placeholderMarker}-${slug(name)}`,
    status: "active",
  }),
  "digitalocean:index/app:App": (name) => ({
    defaultIngress: `https://${host(name, "ondigitalocean.app")}`,
    liveUrl: `https://${host(name, "ondigitalocean.app")}`,
  }),
  "digitalocean:index/spacesBucket:SpacesBucket": (_name, inputs) => ({
    bucketDomainName: `${String(inputs.name)}.${String(inputs.region)}.digitaloceanspaces.com`,
    endpoint: `${String(inputs.region)}.digitaloceanspaces.com`,
  }),
  "random:index/randomString:RandomString": (name, inputs) => {
    const length = typeof inputs.length === "number" ? inputs.length : 16;
    return { result: digest(name).slice(0, length) };
  },
  "cloudflare:index/apiToken:ApiToken": (name) => ({ value: `${placeholderMarker}-token-${digest(name).slice(0, 16)}`, status: "active" }),
  "random:index/randomPassword:RandomPassword": (name, inputs) => {
    const length = typeof inputs.length === "number" ? inputs.length : 32;
    // Cut to a short length, marker-first text is the marker's prefix alone, the same for every password, and
    // indistinguishable from the marker in placeholder hosts: a short password is digits of its own.
    const random = `${digest(name)}${digest(`${name}/2`)}`;
    const text = length < placeholderMarker.length + 12 ? random : `${placeholderMarker}${random}`;
    return { result: text.slice(0, length), bcryptHash: `$2a$10$${placeholderMarker}${digest(`${name}/bcrypt`).slice(0, 34)}` };
  },
  "time:index/static:Static": () => ({ rfc3339: placeholderEpoch }),
  // Harbor objects (registry/harbor-resources.ts): the ids Harbor assigns, the robot's name as Harbor stores it.
  "pulumi-nodejs:dynamic/harbor:AdminPassword": () => ({ userId: `${placeholderMarker}-harbor-user-id` }),
  "pulumi-nodejs:dynamic/harbor:Project": (name) => ({ projectId: `${placeholderMarker}-harbor-project-${slug(name)}` }),
  "pulumi-nodejs:dynamic/harbor:RetentionPolicy": (name) => ({ policyId: `${placeholderMarker}-harbor-retention-${slug(name)}` }),
  "pulumi-nodejs:dynamic/harbor:ImmutableTagRule": (name) => ({ ruleId: `${placeholderMarker}-harbor-rule-${slug(name)}` }),
  "pulumi-nodejs:dynamic/harbor:RobotAccount": (name, inputs) => {
    const namespace = (inputs.permissions as { namespace?: string }[] | undefined)?.[0]?.namespace;
    const days = typeof inputs.durationDays === "number" ? inputs.durationDays : 0;
    return {
      robotId: `${placeholderMarker}-harbor-robot-${slug(name)}`,
      fullName: inputs.level === "project" ? `robot$${String(namespace)}+${String(inputs.name)}` : `robot$${String(inputs.name)}`,
      secret: `${placeholderMarker}-robot-secret-${digest(name).slice(0, 16)}`,
      expiresAt: days === -1 ? -1 : Date.parse(placeholderEpoch) / 1000 + days * 86_400,
    };
  },
  // A real Ed25519 pair (consumers parse it: lib/signing-key-set.ts), derived from the resource's name so a plan is
  // reproducible; the private key is a secret output, kept out of plan files like every generated secret.
  "pulumi-nodejs:dynamic/loco:SigningKeyPair": (name) => {
    const pkcs8Ed25519Prefix = Buffer.from("302e020100300506032b657004220420", "hex");
    const privateKey = createPrivateKey({
      key: Buffer.concat([pkcs8Ed25519Prefix, createHash("sha256").update(`${placeholderMarker}/${name}`).digest()]),
      format: "der",
      type: "pkcs8",
    });
    return {
      publicKeyPem: createPublicKey(privateKey).export({ format: "pem", type: "spki" }),
      privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }),
    };
  },
  "time:index/rotating:Rotating": (_name, inputs) => {
    const days = typeof inputs.rotationDays === "number" ? inputs.rotationDays : 0;
    const due = new Date(Date.parse(placeholderEpoch) + days * 86_400_000).toISOString().replace(".000Z", "Z");
    return { rfc3339: placeholderEpoch, rotationRfc3339: due };
  },
};

/** The id and computed outputs of a resource the plan pretends to create. */
export function cloudPlaceholders(type: string, name: string, inputs: Record<string, unknown>): Placeholder {
  if (type.startsWith("kubernetes:")) {
    const metadata = (inputs.metadata ?? {}) as { name?: string; namespace?: string };
    const objectName = metadata.name ?? name;
    return { id: metadata.namespace ? `${metadata.namespace}/${objectName}` : objectName, state: {} };
  }
  const build = resourceOutputs[type];
  return { id: `${placeholderMarker}-${slug(name)}`, state: build ? build(name, inputs) : {} };
}

type InvokeBuilder = (inputs: Record<string, unknown>) => Record<string, unknown>;

const invokes: Record<string, InvokeBuilder> = {
  // The newest DOKS release of the asked minor version ("1.35." -> "1.35.offline-placeholder").
  "digitalocean:index/getKubernetesVersions:getKubernetesVersions": (inputs) => {
    const latestVersion = `${String(inputs.versionPrefix ?? "")}${placeholderMarker}`;
    return {
      id: `${placeholderMarker}-kubernetes-versions`,
      versionPrefix: inputs.versionPrefix,
      latestVersion,
      validVersions: [latestVersion],
    };
  },
  "cloudflare:index/getZone:getZone": (inputs) => {
    const zoneName = String((inputs.filter as { name?: string } | undefined)?.name ?? "unknown");
    const id = `${placeholderMarker}-zone-${digest(zoneName).slice(0, 16)}`;
    return { id, zoneId: id, name: zoneName, status: "active", nameServers: [] };
  },
  "cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList": (inputs) => {
    const groupName = decodeURIComponent(String(inputs.name ?? ""));
    return {
      results: [{ id: `${placeholderMarker}-permission-${slug(groupName)}`, name: groupName, scopes: [String(inputs.scope ?? "")] }],
    };
  },
};

/** A data source's answer; throws for tokens without a placeholder. */
export function invokePlaceholder(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const build = invokes[token];
  if (!build) {
    const message = `no offline placeholder for the data source ${token}: add one to plan/cloud-placeholders.ts`;
    // The SDK rebuilds invoke errors from `details` (a gRPC field); without it the message is lost.
    throw Object.assign(new Error(message), { details: message });
  }
  return build(inputs);
}

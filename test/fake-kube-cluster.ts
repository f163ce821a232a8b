/**
 * A fake Kubernetes API server for the resurrector's acting side (replay), over HTTPS with a throwaway CA
 * (test/fake-kube-api.ts makes the certificates). It keeps objects in memory and speaks what a client of the
 * real API relies on:
 *
 * - discovery (`/api/v1`, `/apis/{group}/{version}`), so client-node's dynamic client maps kinds to paths; kinds of
 *   a CustomResourceDefinition are served only while that CRD is installed;
 * - GET and LIST (label selector, `limit` and `continue`), DELETE, and PATCH with `application/apply-patch+yaml`:
 *   server-side apply with `fieldManager`, `force` and `dryRun=All` (test/server-side-apply.ts), managedFields per
 *   manager, 409 Conflict naming the other manager's fields, 201 on create-on-apply, 404 for a namespace that does
 *   not exist, and a resourceVersion that moves only when something changed;
 * - validation of custom resources against their CRD's openAPIV3Schema, made strict (an unknown field fails, as
 *   with `fieldValidation=Strict`), when the installed CRD carries one: 422 Invalid with the causes;
 * - faults: latency on every request, and rules answering 409, 429 (with Retry-After), 500 or 503, or dropping the
 *   connection, a given number of times, for requests matching a method and path;
 * - what tests measure: requests by status, and the most requests in flight at once.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { strictSchema } from "./kubernetes-schema";
import { apply, content, managedFields, update, type Json, type JsonObject, type ManagerEntry } from "./server-side-apply";
import type { TestPki } from "./fake-kube-api";

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Kinds the Kubernetes API itself serves. */
export const builtInTypes: readonly ResourceType[] = [
  { group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  { group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true },
  { group: "", version: "v1", kind: "Service", plural: "services", namespaced: true },
  { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  { group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true },
  { group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true },
  { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true },
  {
    group: "apiextensions.k8s.io",
    version: "v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
  },
];

/** Kinds whose CRDs the platform layers install (Gateway API, cert-manager, KEDA and its HTTP add-on). */
export const platformCrdTypes: readonly ResourceType[] = [
  { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway", plural: "gateways", namespaced: true },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes", namespaced: true },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "ListenerSet", plural: "listenersets", namespaced: true },
  { group: "gateway.networking.k8s.io", version: "v1", kind: "ReferenceGrant", plural: "referencegrants", namespaced: true },
  { group: "cert-manager.io", version: "v1", kind: "Certificate", plural: "certificates", namespaced: true },
  { group: "keda.sh", version: "v1alpha1", kind: "ScaledObject", plural: "scaledobjects", namespaced: true },
  { group: "http.keda.sh", version: "v1beta1", kind: "InterceptorRoute", plural: "interceptorroutes", namespaced: true },
];

export interface FaultRule {
  /** Matches requests with this method (GET, PATCH ...); any when absent. */
  readonly method?: string;
  /** Matches request paths (without the query); any when absent. */
  readonly path?: RegExp;
  /** Answer with this status instead of handling the request. */
  readonly status?: 409 | 429 | 500 | 503;
  /** With 429: the Retry-After header, in seconds. */
  readonly retryAfterSeconds?: number;
  /** Cut the connection without an answer. */
  readonly drop?: boolean;
  /** How many matching requests it hits; counted down. */
  times: number;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly contentType?: string;
  status?: number;
}

export interface FakeClusterOptions {
  readonly pki: TestPki;
  /** The bearer token the API accepts. */
  readonly token: string;
  /**
   * Serve the platform layers' CRD kinds from the start (they are installed by `pulumi up`).
   * @default true
   */
  readonly platformCrds?: boolean;
  /**
   * Keep a record of every request (tests); off for benchmarks of many thousand requests.
   * @default true
   */
  readonly recordRequests?: boolean;
}

export interface FakeCluster {
  readonly url: string;
  /** Milliseconds every request waits before it is answered. */
  latencyMs: number;
  /** Faults to inject, first match wins; each counts down its `times`. */
  readonly faults: FaultRule[];
  readonly requests: RequestRecord[];
  readonly stats: { requests: number; maxInFlight: number; readonly byStatus: Map<number, number> };
  resetStats(): void;
  /** Installs a CustomResourceDefinition (its kinds are served from now on, validated by its schema if it has one). */
  installCrd(crd: object): void;
  createNamespace(name: string): void;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): JsonObject | undefined;
  list(apiVersion: string, kind: string): JsonObject[];
  /** A write by another actor (loco's API, a controller): the Update operation, which takes the fields it changes. */
  write(manager: string, object: object): void;
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  close(): Promise<void>;
}

interface Stored {
  object: JsonObject;
  managers: ManagerEntry[];
}

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const versionOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[1] : apiVersion);
const apiVersionOf = (type: ResourceType) => (type.group ? `${type.group}/${type.version}` : type.version);
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

function statusBody(error: ApiError): JsonObject {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.status,
  };
}

/** `k=v`, `k!=v` and bare `k` terms, comma-separated. */
function matchesSelector(selector: string | null, labels: Record<string, Json> | undefined): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [name, value] = term.includes("!=") ? term.split("!=") : term.split("=");
    if (value === undefined) return labels !== undefined && name in labels;
    return term.includes("!=") ? labels?.[name] !== value : labels?.[name] === value;
  });
}

export async function startFakeCluster(options: FakeClusterOptions): Promise<FakeCluster> {
  const types = new Map<string, ResourceType>();
  const validators = new Map<string, ValidateFunction>();
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const typeKey = (group: string, version: string, plural: string) => `${group}/${version}/${plural}`;
  const register = (type: ResourceType) => types.set(typeKey(type.group, type.version, type.plural), type);
  for (const type of [...builtInTypes, ...(options.platformCrds === false ? [] : platformCrdTypes)]) register(type);

  const store = new Map<string, Stored>();
  let resourceVersion = 1000;
  const objectKey = (type: ResourceType, namespace: string | undefined, name: string) =>
    `${type.group}/${type.kind}/${type.namespaced ? (namespace ?? "") : ""}/${name}`;
  const typeFor = (apiVersion: string, kind: string) =>
    [...types.values()].find((t) => t.group === groupOf(apiVersion) && t.version === versionOf(apiVersion) && t.kind === kind);

  const requests: RequestRecord[] = [];
  const stats = { requests: 0, maxInFlight: 0, byStatus: new Map<number, number>() };
  let inFlight = 0;
  const faults: FaultRule[] = [];

  /** What a stored object looks like to clients. */
  const present = (stored: Stored): JsonObject => {
    const object = structuredClone(stored.object);
    (object.metadata as JsonObject).managedFields = managedFields(stored.managers);
    return object;
  };

  function registerCrd(crd: JsonObject): void {
    const spec = crd.spec as { group: string; names: { kind: string; plural: string }; scope: string; versions: JsonObject[] };
    for (const version of spec.versions) {
      if (version.served === false) continue;
      const type = {
        group: spec.group,
        version: String(version.name),
        kind: spec.names.kind,
        plural: spec.names.plural,
        namespaced: spec.scope === "Namespaced",
      };
      register(type);
      const schema = (version.schema as { openAPIV3Schema?: JsonObject } | undefined)?.openAPIV3Schema;
      // The API server allows apiVersion, kind and metadata at the root of every custom resource.
      const root = {
        ...schema,
        properties: {
          apiVersion: { type: "string" },
          kind: { type: "string" },
          metadata: { type: "object" },
          ...(schema?.properties as JsonObject),
        },
      };
      if (schema) validators.set(typeKey(type.group, type.version, type.plural), ajv.compile(strictSchema(root) as object));
    }
  }

  function unregisterCrd(crd: JsonObject): void {
    const spec = crd.spec as { group: string; names: { plural: string }; versions: JsonObject[] };
    for (const version of spec.versions) {
      types.delete(typeKey(spec.group, String(version.name), spec.names.plural));
      validators.delete(typeKey(spec.group, String(version.name), spec.names.plural));
    }
  }

  function validate(type: ResourceType, object: JsonObject): void {
    const metadata = object.metadata as JsonObject;
    const name = String(metadata.name ?? "");
    const label = `${type.kind}.${type.group || "core"} "${name}"`;
    if (!dnsSubdomain.test(name) || name.length > 253) {
      throw new ApiError(
        422,
        "Invalid",
        `${label} is invalid: metadata.name: Invalid value: "${name}": must be a lowercase RFC 1123 subdomain`,
        {
          name,
          kind: type.kind,
          causes: [{ reason: "FieldValueInvalid", message: "must be a lowercase RFC 1123 subdomain", field: "metadata.name" }],
        },
      );
    }
    const validator = validators.get(typeKey(type.group, type.version, type.plural));
    if (!validator || validator(object)) return;
    const causes = (validator.errors ?? []).map((e) => ({
      reason: e.keyword === "additionalProperties" ? "FieldValueUnknown" : "FieldValueInvalid",
      message: `${e.message ?? "invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
      field: e.instancePath.replace(/^\//, "").replace(/\//g, "."),
    }));
    throw new ApiError(422, "Invalid", `${label} is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`, {
      name,
      kind: type.kind,
      causes,
    });
  }

  function save(type: ResourceType, key: string, stored: Stored): void {
    store.set(key, stored);
    if (type.kind === "CustomResourceDefinition") registerCrd(stored.object);
  }

  function requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return;
    const namespaceType = typeFor("v1", "Namespace") as ResourceType;
    if (!namespace || !store.has(objectKey(namespaceType, undefined, namespace))) {
      throw new ApiError(404, "NotFound", `namespaces "${namespace ?? ""}" not found`, { name: namespace ?? "", kind: "namespaces" });
    }
  }

  /** Stores the next state of an object; the server's metadata moves only when something changed. */
  function persist(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    next: JsonObject,
    managers: ManagerEntry[],
    changed: boolean,
    previous?: Stored,
  ): Stored {
    const metadata = next.metadata as JsonObject;
    const old = previous?.object.metadata as JsonObject | undefined;
    // Generation counts changes of what the object asks for, not of its metadata.
    const withoutMetadata = (object: JsonObject) => ({ ...content(object), metadata: null });
    const specChanged = !previous || !isDeepStrictEqual(withoutMetadata(previous.object), withoutMetadata(next));
    metadata.name = name;
    if (type.namespaced) metadata.namespace = namespace ?? "";
    metadata.uid = old?.uid ?? randomUUID();
    metadata.creationTimestamp = old?.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z");
    metadata.resourceVersion = changed || !old ? String(++resourceVersion) : (old.resourceVersion as string);
    metadata.generation = specChanged ? Number(old?.generation ?? 0) + 1 : (old?.generation as number);
    if (previous?.object.status !== undefined) next.status = previous.object.status;
    return { object: next, managers };
  }

  function serverSideApply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    query: URLSearchParams,
  ): { status: number; body: JsonObject } {
    const manager = query.get("fieldManager");
    if (!manager) throw new ApiError(400, "BadRequest", "PATCH, application/apply-patch+yaml: fieldManager is required for apply requests");
    if (!isObject(body)) throw new ApiError(400, "BadRequest", "the apply patch is not an object");
    const metadata = isObject(body.metadata) ? body.metadata : {};
    if (body.kind !== type.kind || groupOf(String(body.apiVersion ?? "")) !== type.group) {
      throw new ApiError(
        400,
        "BadRequest",
        `the apply patch's kind ${String(body.kind)} (${String(body.apiVersion)}) does not match the path (${type.kind})`,
      );
    }
    if (metadata.name !== undefined && metadata.name !== name)
      throw new ApiError(
        400,
        "BadRequest",
        `the name of the object (${String(metadata.name)}) does not match the name in the path (${name})`,
      );
    if (type.namespaced && metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }
    requireNamespace(type, namespace);
    const key = objectKey(type, namespace, name);
    const live = store.get(key);
    if (
      metadata.resourceVersion !== undefined &&
      live &&
      metadata.resourceVersion !== (live.object.metadata as JsonObject).resourceVersion
    ) {
      throw new ApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${type.plural}.${type.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const result = apply({
      live: live?.object,
      managers: live?.managers ?? [],
      applied: { ...body, metadata: { ...metadata, name } } as JsonObject,
      manager,
      force: query.get("force") === "true",
      now: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    });
    if (!result.ok) {
      const lines = result.conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
      throw new ApiError(
        409,
        "Conflict",
        `Apply failed with ${result.conflicts.length} conflict${result.conflicts.length === 1 ? "" : "s"}: ${lines.join("\n")}`,
        {
          name,
          group: type.group,
          kind: type.plural,
          causes: result.conflicts.map((c) => ({
            type: "FieldManagerConflict",
            message: `conflict with "${c.manager}" using ${c.apiVersion}`,
            field: c.field,
          })),
        },
      );
    }
    const next = {
      ...result.object,
      apiVersion: body.apiVersion as string,
      kind: type.kind,
      metadata: { ...(result.object.metadata as JsonObject), name, ...(type.namespaced ? { namespace: namespace ?? "" } : {}) },
    };
    validate(type, next);
    const stored = persist(type, namespace, name, next, result.managers, result.changed, live);
    if (query.get("dryRun") !== "All") save(type, key, stored);
    return { status: live ? 200 : 201, body: present(stored) };
  }

  function discovery(group: string, version: string): JsonObject | undefined {
    const served = [...types.values()].filter((t) => t.group === group && t.version === version);
    if (served.length === 0) return undefined;
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources: served.map((t) => ({
        name: t.plural,
        singularName: t.kind.toLowerCase(),
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
      })),
    };
  }

  function list(type: ResourceType, namespace: string | undefined, query: URLSearchParams): JsonObject {
    const prefix = `${type.group}/${type.kind}/`;
    let items = [...store.entries()]
      .filter(([key, stored]) => key.startsWith(prefix) && (!namespace || (stored.object.metadata as JsonObject).namespace === namespace))
      .map(([, stored]) => stored)
      .filter((stored) =>
        matchesSelector(query.get("labelSelector"), (stored.object.metadata as JsonObject).labels as Record<string, Json> | undefined),
      )
      .sort((a, b) => {
        const [x, y] = [a.object.metadata as JsonObject, b.object.metadata as JsonObject];
        return `${String(x.namespace)}/${String(x.name)}` < `${String(y.namespace)}/${String(y.name)}` ? -1 : 1;
      });
    const offset = Number(query.get("continue") ?? "0") || 0;
    const limit = Number(query.get("limit") ?? "0") || 0;
    const more = limit > 0 && offset + limit < items.length;
    items = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    return {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(resourceVersion), ...(more ? { continue: String(offset + limit) } : {}) },
      items: items.map(present),
    };
  }

  /** `/api/v1/...` or `/apis/{group}/{version}/...` into the type, namespace and name it addresses. */
  function route(path: string): { discovery?: JsonObject; type?: ResourceType; namespace?: string; name?: string } | undefined {
    const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (segments[0] === "api" && segments.length === 1) return { discovery: { kind: "APIVersions", versions: ["v1"] } };
    if (segments[0] === "apis" && segments.length === 1) {
      const groups = [...new Set([...types.values()].filter((t) => t.group).map((t) => t.group))];
      return {
        discovery: {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: groups.map((name) => {
            const versions = [...types.values()]
              .filter((t) => t.group === name)
              .map((t) => ({ groupVersion: `${name}/${t.version}`, version: t.version }));
            return { name, versions, preferredVersion: versions[0] };
          }),
        },
      };
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === "api" && segments[1] === "v1") [group, version, rest] = ["", "v1", segments.slice(2)];
    else if (segments[0] === "apis" && segments.length >= 3) [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
    else return undefined;
    if (rest.length === 0) {
      const resources = discovery(group, version);
      return resources ? { discovery: resources } : undefined;
    }
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const type = types.get(typeKey(group, version, rest[2]));
      return type && rest.length <= 4 ? { type, namespace: rest[1], name: rest[3] } : undefined;
    }
    const type = types.get(typeKey(group, version, rest[0]));
    return type && rest.length <= 2 ? { type, name: rest[1] } : undefined;
  }

  function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    contentType: string | undefined,
    body: string,
  ): { status: number; body: JsonObject } {
    const target = route(path);
    if (!target) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    if (target.discovery) return { status: 200, body: target.discovery };
    const type = target.type as ResourceType;
    const { namespace, name } = target;
    if (method === "GET" && !name) return { status: 200, body: list(type, namespace, query) };
    if (!name) throw new ApiError(405, "MethodNotAllowed", `${method} is not supported on a collection by this fake`);
    const key = objectKey(type, namespace, name);
    if (method === "GET") {
      const stored = store.get(key);
      if (!stored)
        throw new ApiError(404, "NotFound", `${type.plural}.${type.group} "${name}" not found`, {
          name,
          group: type.group,
          kind: type.plural,
        });
      return { status: 200, body: present(stored) };
    }
    if (method === "DELETE") {
      const stored = store.get(key);
      if (!stored)
        throw new ApiError(404, "NotFound", `${type.plural}.${type.group} "${name}" not found`, {
          name,
          group: type.group,
          kind: type.plural,
        });
      store.delete(key);
      if (type.kind === "CustomResourceDefinition") unregisterCrd(stored.object);
      return { status: 200, body: present(stored) };
    }
    if (method === "PATCH") {
      if (contentType?.split(";")[0].trim() !== "application/apply-patch+yaml") {
        throw new ApiError(
          415,
          "UnsupportedMediaType",
          `the fake serves server-side apply only (got content type ${contentType ?? "none"})`,
        );
      }
      let parsed: unknown;
      try {
        parsed = body.trimStart().startsWith("{") ? JSON.parse(body) : parse(body);
      } catch (error) {
        throw new ApiError(400, "BadRequest", `the apply patch is not YAML: ${(error as Error).message.split("\n")[0]}`);
      }
      return serverSideApply(type, namespace, name, parsed, query);
    }
    throw new ApiError(405, "MethodNotAllowed", `${method} is not supported by this fake`);
  }

  function takeFault(method: string, path: string): FaultRule | undefined {
    const rule = faults.find((f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (rule) rule.times -= 1;
    return rule;
  }

  function faultAnswer(rule: FaultRule, path: string): { status: number; body: JsonObject; headers: Record<string, string> } {
    const status = rule.status ?? 500;
    const error =
      status === 409
        ? new ApiError(
            409,
            "Conflict",
            `Operation cannot be fulfilled on ${path}: the object has been modified; please apply your changes to the latest version and try again`,
          )
        : status === 429
          ? new ApiError(429, "TooManyRequests", "Too many requests, please try again later.", {
              retryAfterSeconds: rule.retryAfterSeconds ?? 1,
            })
          : status === 503
            ? new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request")
            : new ApiError(500, "InternalError", "Internal error occurred: injected by the test");
    return { status, body: statusBody(error), headers: status === 429 ? { "retry-after": String(rule.retryAfterSeconds ?? 1) } : {} };
  }

  const server: Server = createServer(
    { key: options.pki.apiKey, cert: options.pki.apiCert },
    (request: IncomingMessage, response: ServerResponse) => {
      stats.requests += 1;
      inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      let counted = true;
      const done = () => {
        if (!counted) return;
        counted = false;
        inFlight -= 1;
      };
      response.on("close", done);
      const url = new URL(request.url ?? "/", "https://127.0.0.1");
      const method = request.method ?? "GET";
      const record: RequestRecord = { method, path: url.pathname, query: url.search, contentType: request.headers["content-type"] };
      if (options.recordRequests !== false) requests.push(record);
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const send = (status: number, body: JsonObject, headers: Record<string, string> = {}) => {
          // Answered: no longer in flight (the client may send its next request on this connection at once).
          done();
          record.status = status;
          stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
          const text = JSON.stringify(body);
          response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
          response.end(text);
        };
        const answer = () => {
          if (response.destroyed) return;
          if (request.headers.authorization !== `Bearer ${options.token}`) {
            send(401, statusBody(new ApiError(401, "Unauthorized", "Unauthorized")));
            return;
          }
          const fault = takeFault(method, url.pathname);
          if (fault?.drop) {
            record.status = 0;
            request.socket.destroy();
            return;
          }
          if (fault) {
            const injected = faultAnswer(fault, url.pathname);
            send(injected.status, injected.body, injected.headers);
            return;
          }
          try {
            const result = handle(
              method,
              url.pathname,
              url.searchParams,
              request.headers["content-type"],
              Buffer.concat(chunks).toString("utf8"),
            );
            send(result.status, result.body);
          } catch (error) {
            if (error instanceof ApiError) send(error.status, statusBody(error));
            else send(500, statusBody(new ApiError(500, "InternalError", `the fake failed: ${(error as Error).message}`)));
          }
        };
        if (fake.latencyMs > 0) setTimeout(answer, fake.latencyMs);
        else answer();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  const direct = (apiVersion: string, kind: string) => {
    const type = typeFor(apiVersion, kind);
    if (!type) throw new Error(`the fake serves no ${apiVersion} ${kind}`);
    return type;
  };
  const fake: FakeCluster = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    latencyMs: 0,
    faults,
    requests,
    stats,
    resetStats() {
      requests.length = 0;
      stats.requests = 0;
      stats.maxInFlight = 0;
      stats.byStatus.clear();
    },
    installCrd(crd) {
      fake.write("kubectl", { ...crd, apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" });
    },
    createNamespace(name) {
      fake.write("kubectl", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    },
    get(apiVersion, kind, namespace, name) {
      const stored = store.get(objectKey(direct(apiVersion, kind), namespace, name));
      return stored && present(stored);
    },
    list(apiVersion, kind) {
      return (list(direct(apiVersion, kind), undefined, new URLSearchParams()).items as JsonObject[]) ?? [];
    },
    write(manager, written) {
      const object = written as JsonObject;
      const type = direct(String(object.apiVersion), String(object.kind));
      const metadata = object.metadata as JsonObject;
      const namespace = metadata.namespace as string | undefined;
      const name = String(metadata.name);
      requireNamespace(type, namespace);
      const key = objectKey(type, namespace, name);
      const live = store.get(key);
      const result = update({
        live: live?.object,
        managers: live?.managers ?? [],
        written: object,
        manager,
        now: new Date().toISOString(),
      });
      const next = {
        ...result.object,
        apiVersion: object.apiVersion as string,
        kind: type.kind,
        metadata: { ...(result.object.metadata as JsonObject), name, ...(type.namespaced ? { namespace: namespace ?? "" } : {}) },
      };
      validate(type, next);
      save(type, key, persist(type, namespace, name, next, result.managers, true, live));
    },
    remove(apiVersion, kind, namespace, name) {
      const type = direct(apiVersion, kind);
      const stored = store.get(objectKey(type, namespace, name));
      store.delete(objectKey(type, namespace, name));
      if (stored && kind === "CustomResourceDefinition") unregisterCrd(stored.object);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

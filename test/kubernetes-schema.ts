/**
 * Validates Kubernetes objects against upstream schemas, two ways:
 *
 * 1. The kubernetes-models packages (core API, Gateway API, cert-manager, KEDA, Envoy Gateway): types, enums,
 *    required fields. Generated from the projects' Go types; they accept unknown fields.
 * 2. The CRDs of the upstream reference (test/upstream.ts: the pinned CRDs and loco's Application CRD): the exact
 *    openAPIV3Schema of the pinned version, made strict so an unknown field (a typo the API server would drop or
 *    reject) fails. Without the reference this layer is skipped locally and fails under CI=true.
 *
 * An object no layer knows is a problem, unless its kind is listed in {@link knownSchemaGaps} with the reason.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { upstreamForStrictCheck } from "./upstream";

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly [key: string]: unknown;
}

/** Kinds with no schema available offline, and why; validated only by the component tests that build them. */
export const knownSchemaGaps: Readonly<Record<string, string>> = {
  InterceptorRoute:
    "http.keda.sh (KEDA HTTP add-on) has no kubernetes-models package; checked against the add-on's CRD from ../shared when present, and field by field in test/resurrector-render.test.ts",
};

const modelPackages: Record<string, string> = {
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "acme.cert-manager.io": "@kubernetes-models/cert-manager",
  "keda.sh": "@kubernetes-models/keda",
  "gateway.envoyproxy.io": "@kubernetes-models/envoy-gateway",
};

/** Groups served by the Kubernetes API itself (kubernetes-models covers them). */
const isCoreGroup = (group: string) => group === "" || !group.includes(".") || group.endsWith(".k8s.io");

function modelModule(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = modelPackages[group];
  if (pkg) return `${pkg}/${group}/${version}`;
  if (isCoreGroup(group)) return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  return undefined;
}

type ModelClass = new (data: unknown) => { validate(): void };

async function modelProblems(object: KubernetesObject): Promise<string[] | undefined> {
  const module = modelModule(object.apiVersion);
  if (!module) return undefined;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(module)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const Model = exports[object.kind] as ModelClass | undefined;
  if (!Model) return undefined;
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${module} ${object.kind}: ${(error as Error).message}`];
  }
}

interface CrdVersionSchema {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly schema: Record<string, unknown>;
}

let crdIndex: Map<string, CrdVersionSchema> | undefined;
const compiled = new Map<string, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

function listYaml(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listYaml(path);
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

function loadCrds(): Map<string, CrdVersionSchema> {
  if (crdIndex) return crdIndex;
  const index = new Map<string, CrdVersionSchema>();
  const crds = upstreamForStrictCheck("crds");
  const locoCrd = upstreamForStrictCheck("locoCrd");
  for (const file of [...(crds ? listYaml(crds) : []), ...(locoCrd ? [locoCrd] : [])]) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const crd = doc.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema?: { openAPIV3Schema?: Record<string, unknown> } }[];
        };
      } | null;
      if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (schema)
          index.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
            group: crd.spec.group,
            kind: crd.spec.names.kind,
            version: version.name,
            schema,
          });
      }
    }
  }
  crdIndex = index;
  return index;
}

/** Turns a structural CRD schema into strict JSON Schema: closed objects, int-or-string, nullable. */
export function strictSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (!node || typeof node !== "object") return node;
  const source = node as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith("x-kubernetes-") || key === "nullable") continue;
    result[key] = key === "properties" || key === "patternProperties" ? mapValues(value, strictSchema) : strictSchema(value);
  }
  if (source["x-kubernetes-int-or-string"] === true) {
    delete result.type;
    result.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  if (source.nullable === true && typeof result.type === "string") result.type = [result.type, "null"];
  const open = source["x-kubernetes-preserve-unknown-fields"] === true || "additionalProperties" in source;
  if (source.properties && !open) result.additionalProperties = false;
  return result;
}

const mapValues = (value: unknown, f: (v: unknown) => unknown) =>
  Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, f(v)]));

function crdProblems(object: KubernetesObject): string[] | undefined {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const key = `${group}/${version}/${object.kind}`;
  const crd = loadCrds().get(key);
  if (!crd) return undefined;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(strictSchema(crd.schema) as object);
    compiled.set(key, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `CRD ${key}: ${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  );
}

export interface SchemaResult {
  /** Which layers checked the object. */
  readonly checkedBy: readonly ("model" | "crd")[];
  readonly problems: readonly string[];
}

/** Validates one object; `problems` is empty when it is valid by every schema that knows it. */
export async function validateKubernetesObject(object: KubernetesObject): Promise<SchemaResult> {
  const label = `${object.apiVersion} ${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? "?"}`;
  const model = await modelProblems(object);
  const crd = crdProblems(object);
  const checkedBy = [...(model ? (["model"] as const) : []), ...(crd ? (["crd"] as const) : [])];
  const problems = [...(model ?? []), ...(crd ?? [])].map((p) => `${label}: ${p}`);
  if (checkedBy.length === 0 && !knownSchemaGaps[object.kind]) {
    problems.push(`${label}: no schema knows this kind (add a model package, or document the gap in knownSchemaGaps)`);
  }
  return { checkedBy, problems };
}

/**
 * The Kubernetes objects a tenant app is made of, typed with the kubernetes-models interfaces (compile-time shape;
 * the tests validate every rendered object against the schemas). InterceptorRoute has no model package: its shape
 * is written out here from the http.keda.sh/v1beta1 CRD of the pinned add-on (0.15).
 */
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IListenerSet } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ListenerSet";
import type { IReferenceGrant } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ReferenceGrant";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** http.keda.sh/v1beta1 InterceptorRoute: routes a host to a Service through the add-on's interceptor and reports its load. */
export interface IInterceptorRoute {
  apiVersion: "http.keda.sh/v1beta1";
  kind: "InterceptorRoute";
  metadata: ObjectMeta;
  spec: {
    target: { service: string; port: number };
    rules: { hosts: string[] }[];
    scalingMetric: { concurrency: { targetValue: number } };
  };
}

export type TenantObject =
  | INamespace
  | ISecret
  | IDeployment
  | IService
  | IHTTPRoute
  | IListenerSet
  | ICertificate
  | IScaledObject
  | IInterceptorRoute
  | IReferenceGrant
  | IPodDisruptionBudget
  | INetworkPolicy;

/** The order objects are listed (and would be applied) in: what others depend on first. */
export const kindOrder: readonly TenantObject["kind"][] = [
  "Namespace",
  "Secret",
  "NetworkPolicy",
  "Service",
  "Deployment",
  "PodDisruptionBudget",
  "Certificate",
  "ListenerSet",
  "ReferenceGrant",
  "HTTPRoute",
  "InterceptorRoute",
  "ScaledObject",
];

/** kind, namespace and name: how a plan names an object. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

// Keys in sorted order: the plan's JSON needs them so, and building them so saves copying 100,000 of them.
export const objectRef = (object: TenantObject): ObjectRef => ({
  kind: object.kind,
  name: object.metadata?.name ?? "",
  namespace: object.metadata?.namespace,
});

const rank = (kind: string) => {
  const index = kindOrder.indexOf(kind as TenantObject["kind"]);
  return index === -1 ? kindOrder.length : index;
};

/** Code-unit order: unlike localeCompare, the same on every machine and locale. */
export const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic order: by kind (dependencies first), then namespace, then name. */
export function compareObjectRefs(a: ObjectRef, b: ObjectRef): number {
  return rank(a.kind) - rank(b.kind) || compareStrings(a.namespace ?? "", b.namespace ?? "") || compareStrings(a.name, b.name);
}

/** The objects in apply order (sorted in place). */
export const inApplyOrder = (objects: TenantObject[]): TenantObject[] =>
  objects.sort((a, b) => compareObjectRefs(objectRef(a), objectRef(b)));

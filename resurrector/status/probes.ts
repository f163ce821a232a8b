/**
 * The checks `status` runs against the guarded cluster. Each one is bounded by the timeout, answers with a health
 * (ok, degraded, down) and one line saying why, and never throws: a failing probe is a result, not a crash.
 *
 * Down means tenants cannot be served (API unreachable, no Ready node, no gateway proxy, the public endpoint not
 * answering or its certificate expired). Anything else that fails is degraded.
 */
import { rootCertificates } from "node:tls";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { gatewayListeners, sharedGateway } from "../../lib/shared-gateway";
import type { KubeClient } from "../kube/api-client";
import { kubeFailure, RequestTimeoutError } from "../kube/api-errors";
import { httpGet, ProbeTimeoutError } from "./http-get";
import type { PlatformWorkloads } from "./platform-workloads";

export type Health = "ok" | "degraded" | "down";

export interface CheckResult {
  readonly name: string;
  readonly health: Health;
  readonly detail: string;
  readonly durationMs: number;
}

/** Certificates closer to expiry than this are a problem: cert-manager renews at a third of the lifetime left. */
export const certificateWarningDays = 14;

const dayMs = 86_400_000;
const failing = (critical: boolean): Health => (critical ? "down" : "degraded");

/** An error as one short line: timeouts and connection failures are what on-call needs to tell apart. */
export function describeError(error: unknown): string {
  if (error instanceof ProbeTimeoutError || error instanceof RequestTimeoutError) return `timed out: ${error.message}`;
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The guarded cluster's API through client-node's typed clients, each request bounded by the client's deadline. */
export class KubeApi {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;

  constructor(readonly client: KubeClient) {
    this.core = new CoreV1Api(client.configuration);
    this.apps = new AppsV1Api(client.configuration);
    this.custom = new CustomObjectsApi(client.configuration);
  }

  /** One request; a failure names what was asked and says why (the API's own message, or the connection error). */
  async request<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.client.call(call);
    } catch (error) {
      if (error instanceof RequestTimeoutError) throw error;
      const failure = kubeFailure(error);
      throw Object.assign(new Error(failure.status === undefined ? failure.message : `${what}: ${failure.message}`), {
        status: failure.status,
      });
    }
  }
}

/** Runs one check, timing it and turning any exception into a result. */
async function timed(name: string, critical: boolean, check: () => Promise<{ health: Health; detail: string }>): Promise<CheckResult> {
  const started = performance.now();
  try {
    const result = await check();
    return { name, ...result, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { name, health: failing(critical), detail: describeError(error), durationMs: Math.round(performance.now() - started) };
  }
}

export function apiReadiness(api: KubeApi): Promise<CheckResult> {
  return timed("api", true, async () => {
    const response = await api.client.getRaw("/readyz");
    if (response.status === 200) {
      return { health: "ok", detail: `${api.client.target.server.host} /readyz: ${response.body.trim() || "ok"}` };
    }
    if (response.status === 401 || response.status === 403) {
      return { health: "down", detail: `HTTP ${response.status}: the kubeconfig's credentials are refused` };
    }
    return { health: "down", detail: `/readyz: HTTP ${response.status} ${response.body.trim().split("\n").slice(-3).join("; ")}` };
  });
}

export function nodesReady(api: KubeApi): Promise<CheckResult> {
  return timed("nodes", true, async () => {
    const { items } = await api.request("nodes", () => api.core.listNode());
    const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    const notReady = items.filter((n) => !ready.includes(n)).map((n) => n.metadata?.name ?? "?");
    const cordoned = items.filter((n) => n.spec?.unschedulable).map((n) => n.metadata?.name ?? "?");
    const detail = [
      `${ready.length}/${items.length} Ready`,
      ...(notReady.length ? [`not ready: ${notReady.join(", ")}`] : []),
      ...(cordoned.length ? [`cordoned: ${cordoned.join(", ")}`] : []),
    ].join("; ");
    if (ready.length === 0) return { health: "down", detail };
    return { health: notReady.length > 0 || cordoned.length > 0 ? "degraded" : "ok", detail };
  });
}

interface Workload {
  readonly name: string;
  readonly desired: number;
  readonly ready: number;
}

/** Deployments, StatefulSets and DaemonSets matching the selector, in one namespace or all: desired and ready counts. */
async function workloadsOf(api: KubeApi, addOn: PlatformWorkloads): Promise<Workload[]> {
  const { namespace, selector: labelSelector } = addOn;
  const where = `${addOn.namespace ?? "all namespaces"} ${labelSelector}`;
  const [deployments, statefulSets, daemonSets] = await Promise.all([
    api.request(`deployments in ${where}`, () =>
      namespace
        ? api.apps.listNamespacedDeployment({ namespace, labelSelector })
        : api.apps.listDeploymentForAllNamespaces({ labelSelector }),
    ),
    api.request(`statefulsets in ${where}`, () =>
      namespace
        ? api.apps.listNamespacedStatefulSet({ namespace, labelSelector })
        : api.apps.listStatefulSetForAllNamespaces({ labelSelector }),
    ),
    api.request(`daemonsets in ${where}`, () =>
      namespace
        ? api.apps.listNamespacedDaemonSet({ namespace, labelSelector })
        : api.apps.listDaemonSetForAllNamespaces({ labelSelector }),
    ),
  ]);
  const workload = (kind: string, name: string | undefined, desired: number, ready: number): Workload => ({
    name: `${kind}/${name ?? "?"}`,
    desired,
    ready: Math.min(ready, desired),
  });
  return [
    ...deployments.items.map((w) => workload("deployment", w.metadata?.name, w.spec?.replicas ?? 1, w.status?.availableReplicas ?? 0)),
    ...statefulSets.items.map((w) => workload("statefulset", w.metadata?.name, w.spec?.replicas ?? 1, w.status?.readyReplicas ?? 0)),
    ...daemonSets.items.map((w) =>
      workload("daemonset", w.metadata?.name, w.status?.desiredNumberScheduled ?? 0, w.status?.numberAvailable ?? 0),
    ),
  ];
}

export function addOnWorkloads(api: KubeApi, addOn: PlatformWorkloads): Promise<CheckResult> {
  return timed(addOn.name, addOn.critical, async () => {
    const workloads = await workloadsOf(api, addOn);
    const where = `${addOn.namespace ?? "any namespace"} (${addOn.selector})`;
    if (workloads.length === 0) return { health: failing(addOn.critical), detail: `no workloads in ${where}: ${addOn.role} unavailable` };
    workloads.sort((a, b) => (a.name < b.name ? -1 : 1));
    const detail = workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(", ");
    const dead = workloads.filter((w) => w.desired > 0 && w.ready === 0);
    if (dead.length > 0) return { health: failing(addOn.critical), detail: `${detail}: ${addOn.role} unavailable` };
    return { health: workloads.some((w) => w.ready < w.desired) ? "degraded" : "ok", detail };
  });
}

interface Gateway {
  spec?: { listeners?: { name: string; hostname?: string }[] };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** The shared Gateway is accepted and programmed; also yields the host of its status listener for the public probe. */
export async function sharedGatewayCheck(api: KubeApi): Promise<{ result: CheckResult; statusHost?: string }> {
  let statusHost: string | undefined;
  const result = await timed("gateway", true, async () => {
    const gateway = (await api.request(`gateway ${sharedGateway.namespace}/${sharedGateway.name}`, () =>
      api.custom.getNamespacedCustomObject({
        group: "gateway.networking.k8s.io",
        version: "v1",
        namespace: sharedGateway.namespace,
        plural: "gateways",
        name: sharedGateway.name,
      }),
    )) as Gateway;
    statusHost = gateway.spec?.listeners?.find((l) => l.name === gatewayListeners.status)?.hostname;
    const programmed = gateway.status?.conditions?.find((c) => c.type === "Programmed");
    if (programmed?.status === "True") return { health: "ok", detail: `${sharedGateway.namespace}/${sharedGateway.name} programmed` };
    return {
      health: "down",
      detail: `${sharedGateway.namespace}/${sharedGateway.name} not programmed: ${programmed?.message ?? "no Programmed condition"}`,
    };
  });
  return { result, statusHost };
}

interface CertificateList {
  items: {
    metadata: { name: string; namespace: string };
    status?: { notAfter?: string; conditions?: { type: string; status: string; message?: string }[] };
  }[];
}

export function certificates(api: KubeApi, now: Date): Promise<CheckResult> {
  return timed("certificates", false, async () => {
    const { items } = (await api.request("certificates", () =>
      api.custom.listClusterCustomObject({ group: "cert-manager.io", version: "v1", plural: "certificates" }),
    )) as CertificateList;
    const problems: { health: Health; text: string }[] = [];
    let soonest: { name: string; at: Date } | undefined;
    for (const item of items) {
      const name = `${item.metadata.namespace}/${item.metadata.name}`;
      const ready = item.status?.conditions?.find((c) => c.type === "Ready");
      const notAfter = item.status?.notAfter ? new Date(item.status.notAfter) : undefined;
      if (notAfter && (!soonest || notAfter < soonest.at)) soonest = { name, at: notAfter };
      // The Gateway's own certificates serve every tenant: expired there is an outage.
      const platform = item.metadata.namespace === sharedGateway.namespace;
      if (notAfter && notAfter <= now)
        problems.push({ health: platform ? "down" : "degraded", text: `${name} expired ${notAfter.toISOString()}` });
      else if (notAfter && notAfter.getTime() - now.getTime() < certificateWarningDays * dayMs) {
        problems.push({ health: "degraded", text: `${name} expires ${notAfter.toISOString()} (renewal is late)` });
      } else if (ready?.status !== "True")
        problems.push({ health: "degraded", text: `${name} not ready: ${ready?.message ?? "no Ready condition"}` });
    }
    const summary = `${items.length} certificates${soonest ? `, next expiry ${soonest.name} ${soonest.at.toISOString()}` : ""}`;
    if (problems.length === 0) return { health: "ok", detail: summary };
    const health: Health = problems.some((p) => p.health === "down") ? "down" : "degraded";
    return { health, detail: `${problems.map((p) => p.text).join("; ")} (${summary})` };
  });
}

export interface PublicProbeOptions {
  readonly url?: URL;
  readonly connectTo?: string;
  readonly extraCa?: Buffer;
  readonly timeoutMs: number;
  readonly now: Date;
}

/** A real HTTPS request through the gateway: answers, with a trusted and unexpired certificate. */
export function publicHttps(options: PublicProbeOptions): Promise<CheckResult> {
  return timed("public-https", true, async () => {
    if (!options.url) {
      return {
        health: "degraded",
        detail: `no --public-url, and the Gateway has no ${gatewayListeners.status} listener hostname to probe`,
      };
    }
    const url = options.url;
    const where = `${url.href}${options.connectTo ? ` (at ${options.connectTo})` : ""}`;
    const response = await httpGet({
      url,
      timeoutMs: options.timeoutMs,
      connectTo: options.connectTo,
      // Not refused when untrusted: the probe reports it (a staging certificate serves, but is not trusted).
      tls: {
        rejectUnauthorized: false,
        ca: options.extraCa ? [...rootCertificates.map((c) => Buffer.from(c)), options.extraCa] : undefined,
      },
    }).catch((error: unknown) => {
      throw new Error(`${where}: ${describeError(error)}`);
    });
    const certificate = response.certificate;
    const expiry = certificate ? `certificate valid until ${certificate.validTo.toISOString()}` : "no certificate";
    const detail = `${where} HTTP ${response.status}, ${expiry}`;
    if (certificate && certificate.validTo <= options.now) return { health: "down", detail: `${detail}: EXPIRED` };
    if (!response.trusted) return { health: "degraded", detail: `${detail}: not trusted (${response.trustError})` };
    if (certificate && certificate.validTo.getTime() - options.now.getTime() < certificateWarningDays * dayMs) {
      return { health: "degraded", detail: `${detail}: expires within ${certificateWarningDays} days` };
    }
    if (response.status >= 500) return { health: "degraded", detail: `${detail}: the gateway answers, the backend fails` };
    return { health: "ok", detail };
  });
}

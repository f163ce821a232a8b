/**
 * The checks `status` runs against the guarded cluster. Each one is bounded by the timeout, answers with a health
 * (ok, degraded, down) and one line saying why, and never throws: a failing probe is a result, not a crash.
 *
 * Down means tenants cannot be served (API unreachable, no Ready node, no gateway proxy, the public endpoint not
 * answering or its certificate expired). Anything else that fails is degraded.
 */
import { rootCertificates } from "node:tls";
import { gatewayListeners, sharedGateway } from "../../lib/shared-gateway";
import { httpGet, ProbeTimeoutError, type GetResult } from "./http-get";
import type { KubeConnection } from "./kubeconfig";
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
  if (error instanceof ProbeTimeoutError) return `timed out: ${error.message}`;
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

export class KubeApi {
  constructor(
    readonly connection: KubeConnection,
    readonly timeoutMs: number,
  ) {}

  get(path: string): Promise<GetResult> {
    const { connection } = this;
    const credentials = connection.credentials;
    return httpGet({
      url: new URL(path, connection.server),
      timeoutMs: this.timeoutMs,
      headers: credentials.kind === "token" ? { authorization: `Bearer ${credentials.token}` } : {},
      tls: {
        ca: connection.ca,
        cert: credentials.kind === "client-certificate" ? credentials.cert : undefined,
        key: credentials.kind === "client-certificate" ? credentials.key : undefined,
        rejectUnauthorized: !connection.insecureSkipTlsVerify,
        servername: connection.tlsServerName,
      },
    });
  }

  /** GET and parse JSON, or throw with the status and the API's own message. */
  async getJson<T>(path: string): Promise<T> {
    const response = await this.get(path);
    if (response.status !== 200) {
      let message = response.body.slice(0, 200);
      try {
        message = (JSON.parse(response.body) as { message?: string }).message ?? message;
      } catch {
        // Not JSON: keep the raw text.
      }
      throw Object.assign(new Error(`${path}: HTTP ${response.status}${message ? `: ${message}` : ""}`), { status: response.status });
    }
    return JSON.parse(response.body) as T;
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
    const response = await api.get("/readyz");
    if (response.status === 200) return { health: "ok", detail: `${api.connection.server.host} /readyz: ${response.body.trim() || "ok"}` };
    if (response.status === 401 || response.status === 403) {
      return { health: "down", detail: `HTTP ${response.status}: the kubeconfig's credentials are refused` };
    }
    return { health: "down", detail: `/readyz: HTTP ${response.status} ${response.body.trim().split("\n").slice(-3).join("; ")}` };
  });
}

interface NodeList {
  items: { metadata: { name: string }; spec?: { unschedulable?: boolean }; status?: { conditions?: { type: string; status: string }[] } }[];
}

export function nodesReady(api: KubeApi): Promise<CheckResult> {
  return timed("nodes", true, async () => {
    const { items } = await api.getJson<NodeList>("/api/v1/nodes");
    const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    const notReady = items.filter((n) => !ready.includes(n)).map((n) => n.metadata.name);
    const cordoned = items.filter((n) => n.spec?.unschedulable).map((n) => n.metadata.name);
    const detail = [
      `${ready.length}/${items.length} Ready`,
      ...(notReady.length ? [`not ready: ${notReady.join(", ")}`] : []),
      ...(cordoned.length ? [`cordoned: ${cordoned.join(", ")}`] : []),
    ].join("; ");
    if (ready.length === 0) return { health: "down", detail };
    return { health: notReady.length > 0 || cordoned.length > 0 ? "degraded" : "ok", detail };
  });
}

interface WorkloadList {
  items: {
    metadata: { name: string };
    spec?: { replicas?: number };
    status?: { availableReplicas?: number; readyReplicas?: number; desiredNumberScheduled?: number; numberAvailable?: number };
  }[];
}

const workloadKinds = [
  {
    kind: "deployment",
    resource: "deployments",
    desired: (w: WorkloadList["items"][number]) => w.spec?.replicas ?? 1,
    ready: (w: WorkloadList["items"][number]) => w.status?.availableReplicas ?? 0,
  },
  {
    kind: "statefulset",
    resource: "statefulsets",
    desired: (w: WorkloadList["items"][number]) => w.spec?.replicas ?? 1,
    ready: (w: WorkloadList["items"][number]) => w.status?.readyReplicas ?? 0,
  },
  {
    kind: "daemonset",
    resource: "daemonsets",
    desired: (w: WorkloadList["items"][number]) => w.status?.desiredNumberScheduled ?? 0,
    ready: (w: WorkloadList["items"][number]) => w.status?.numberAvailable ?? 0,
  },
] as const;

export function addOnWorkloads(api: KubeApi, addOn: PlatformWorkloads): Promise<CheckResult> {
  return timed(addOn.name, addOn.critical, async () => {
    const scope = addOn.namespace ? `/namespaces/${addOn.namespace}` : "";
    const query = `?labelSelector=${encodeURIComponent(addOn.selector)}`;
    const lists = await Promise.all(
      workloadKinds.map(async (k) => ({ k, list: await api.getJson<WorkloadList>(`/apis/apps/v1${scope}/${k.resource}${query}`) })),
    );
    const workloads = lists.flatMap(({ k, list }) =>
      list.items.map((w) => ({ name: `${k.kind}/${w.metadata.name}`, desired: k.desired(w), ready: Math.min(k.ready(w), k.desired(w)) })),
    );
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
    const gateway = await api.getJson<Gateway>(
      `/apis/gateway.networking.k8s.io/v1/namespaces/${sharedGateway.namespace}/gateways/${sharedGateway.name}`,
    );
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
    const { items } = await api.getJson<CertificateList>("/apis/cert-manager.io/v1/certificates");
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

/**
 * Phase 4 of a rebuild, verify: the new cluster's probes (resurrector/status) say it can serve, and each replayed
 * app's route answers over HTTPS. Bounded: at most `concurrency` requests at once, each within `timeoutMs`.
 * "Answers" means any HTTP response below 500 (a 404 or a redirect is the app's own answer; a 5xx is the gateway
 * or the app failing). A degraded cluster passes with a warning: degraded never means tenants cannot be served
 * (a certificate close to renewal would otherwise fail every rebuild).
 */
import type { DomainRecord } from "../db/records";
import type { Health } from "../status/probes";

export interface RouteCheck {
  readonly resourceId: string;
  readonly hostname: string;
  readonly ok: boolean;
  /** HTTP status, or why there was none. */
  readonly detail: string;
}

export interface VerifyReport {
  readonly health: Health;
  readonly healthDetail: string;
  readonly routes: { readonly checked: number; readonly answered: number; readonly failed: readonly RouteCheck[] };
  /** Replayed apps that have no hostname to check (workers). */
  readonly withoutRoute: number;
  readonly problems: readonly string[];
}

export interface VerifyOptions {
  /** The new cluster's health, from its probes. */
  readonly clusterHealth: () => Promise<{ readonly health: Health; readonly detail: string }>;
  /** Resource ids the replay applied. */
  readonly replayed: readonly string[];
  readonly domains: readonly DomainRecord[];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default 8 */
  readonly concurrency?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** Each app's primary hostname (else its first), normalized as the renderer does (lower case, no trailing dot). */
export function routeHostnames(replayed: readonly string[], domains: readonly DomainRecord[]): Map<string, string> {
  const wanted = new Set(replayed);
  const hostnames = new Map<string, string>();
  const ordered = [...domains].sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary) || a.id.localeCompare(b.id));
  for (const domain of ordered) {
    if (!wanted.has(domain.resourceId) || hostnames.has(domain.resourceId)) continue;
    hostnames.set(domain.resourceId, domain.domain.trim().toLowerCase().replace(/\.$/, ""));
  }
  return hostnames;
}

async function checkRoute(send: typeof fetch, resourceId: string, hostname: string, timeoutMs: number): Promise<RouteCheck> {
  try {
    const response = await send(`https://${hostname}/`, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer().catch(() => undefined);
    return { resourceId, hostname, ok: response.status < 500, detail: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    const detail =
      name === "TimeoutError" || name === "AbortError"
        ? `no answer within ${timeoutMs} ms`
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    return { resourceId, hostname, ok: false, detail };
  }
}

export async function verifyRebuild(options: VerifyOptions): Promise<VerifyReport> {
  const concurrency = options.concurrency ?? 8;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const send = options.fetch ?? fetch;
  const [status, checks] = await Promise.all([
    options.clusterHealth().catch((error: unknown) => ({ health: "down" as Health, detail: (error as Error).message })),
    (async () => {
      const queue = [...routeHostnames(options.replayed, options.domains)];
      const results: RouteCheck[] = [];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) results.push(await checkRoute(send, next[0], next[1], timeoutMs));
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      return results;
    })(),
  ]);
  const failed = checks.filter((c) => !c.ok).sort((a, b) => a.resourceId.localeCompare(b.resourceId));
  const problems: string[] = [];
  if (status.health === "down") problems.push(`the cluster is down: ${status.detail}`);
  if (failed.length > 0) {
    const shown = failed.slice(0, 5).map((c) => `${c.hostname} (${c.detail})`);
    problems.push(`${failed.length} of ${checks.length} routes do not answer: ${shown.join(", ")}${failed.length > 5 ? ", ..." : ""}`);
  }
  return {
    health: status.health,
    healthDetail: status.detail,
    routes: { checked: checks.length, answered: checks.length - failed.length, failed: failed.slice(0, 50) },
    withoutRoute: options.replayed.length - checks.length,
    problems,
  };
}

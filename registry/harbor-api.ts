/**
 * A small client for Harbor's REST API v2.0 (`/api/v2.0`, the swagger in ../shared/upstream/harbor), used by the
 * dynamic providers in this folder.
 *
 * It retries what is worth retrying (429, 5xx, connection errors, timeouts) with bounded exponential backoff, and
 * turns everything else into a {@link HarborApiError} carrying Harbor's own message. It never puts credentials,
 * request bodies or successful response bodies into an error or a log line: robot secrets travel in both.
 *
 * Runs inside Pulumi's dynamic provider host, which deserializes it from a closure: it uses only Node globals
 * (fetch, AbortSignal, setTimeout), no packages.
 */

/** Where Harbor is and who the platform is there. */
export interface HarborConnection {
  /** Base URL of Harbor, e.g. https://registry.example.com (no /api suffix). */
  readonly url: string;
  /** A Harbor system administrator. */
  readonly username: string;
  readonly password: string;
}

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  readonly attempts: number;
  /** Delay before the first retry; doubles each time. */
  readonly baseDelayMs: number;
  /** Longest single delay, also the cap on a server's Retry-After. */
  readonly maxDelayMs: number;
  /** A request that takes longer is aborted (and retried). */
  readonly timeoutMs: number;
}

/**
 * Enough to ride out a Harbor core restart, or a first install whose Gateway route and certificate are still being
 * programmed (1 + 2 + 4 + 8 + 16 + 30 x 4 s, about two and a half minutes of waiting); short enough that a broken
 * Harbor fails the deployment in minutes, not hours.
 */
export const defaultRetryPolicy: RetryPolicy = { attempts: 10, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 30_000 };

export const apiBasePath = "/api/v2.0";

export interface HarborRequest {
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: unknown;
  /** Look the path's project segment up by name, not id (Harbor's X-Is-Resource-Name). */
  readonly byName?: boolean;
}

export interface HarborResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A failed Harbor call: what was called, what Harbor answered, and whether it was worth retrying. */
export class HarborApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status, or 0 when no response arrived (connection error, timeout). */
    readonly status: number,
    /** Harbor's own error message, or the transport error. */
    readonly harborMessage: string,
    readonly attempts: number,
    readonly requestId?: string,
  ) {
    const answer = status === 0 ? harborMessage : `${status} ${harborMessage}`;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
    super(`Harbor ${method} ${path} failed${tries}: ${answer}${requestId ? ` (request id ${requestId})` : ""}`);
    this.name = "HarborApiError";
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  get conflict(): boolean {
    return this.status === 409;
  }
}

/** Whether an HTTP status is transient: rate limiting or a server-side failure other than "not implemented". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/** Delay before retry number `retry` (1-based): exponential, capped, and never below a server's Retry-After. */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfterSeconds?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds) || retryAfterSeconds < 0) return exponential;
  return Math.min(policy.maxDelayMs, Math.max(exponential, retryAfterSeconds * 1000));
}

/** Harbor's error body is `{"errors":[{"code","message"}]}`; anything else is reported by its status text. */
export function harborErrorMessage(status: number, statusText: string, text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const messages = (parsed.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(": ")).filter((m) => m !== "");
    if (messages.length > 0) return messages.join("; ");
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): fall back to the status line below.
  }
  return statusText || `HTTP ${status}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HarborClient {
  private readonly authorization: string;
  private readonly baseUrl: string;

  constructor(
    connection: HarborConnection,
    readonly retry: RetryPolicy = defaultRetryPolicy,
  ) {
    this.baseUrl = connection.url.replace(/\/+$/, "");
    this.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString("base64")}`;
  }

  /** Calls `method path` under /api/v2.0; resolves on 2xx, throws a {@link HarborApiError} otherwise. */
  async request<T = unknown>(method: string, path: string, request: HarborRequest = {}): Promise<HarborResponse<T>> {
    const url = new URL(`${this.baseUrl}${apiBasePath}${path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { Accept: "application/json", Authorization: this.authorization };
    if (request.body !== undefined) headers["Content-Type"] = "application/json";
    if (request.byName) headers["X-Is-Resource-Name"] = "true";
    const shownPath = `${apiBasePath}${path}`;

    let last: HarborApiError | undefined;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(this.retry.timeoutMs),
          redirect: "error",
        });
      } catch (error) {
        const untrusted = untrustedCertificate(error);
        // A certificate this machine does not trust stays untrusted: waiting cannot fix it, so say what will.
        if (untrusted) throw new HarborApiError(method, shownPath, 0, untrustedCertificateMessage(untrusted), attempt);
        last = new HarborApiError(method, shownPath, 0, transportMessage(error, this.retry.timeoutMs), attempt);
        if (attempt < this.retry.attempts) await sleep(backoffDelay(this.retry, attempt));
        continue;
      }
      const text = await response.text();
      const requestId = response.headers.get("x-request-id") ?? undefined;
      if (response.ok) {
        return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T, headers: response.headers };
      }
      last = new HarborApiError(
        method,
        shownPath,
        response.status,
        harborErrorMessage(response.status, response.statusText, text),
        attempt,
        requestId,
      );
      if (!isRetryableStatus(response.status)) throw last;
      if (attempt < this.retry.attempts) {
        const retryAfter = response.headers.get("retry-after");
        await sleep(backoffDelay(this.retry, attempt, retryAfter === null ? undefined : Number(retryAfter)));
      }
    }
    throw last as HarborApiError;
  }

  /** Every item of a paged list endpoint (Harbor caps page_size at 100). */
  async list<T>(path: string, request: HarborRequest = {}): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const response = await this.request<T[] | undefined>("GET", path, {
        ...request,
        query: { ...request.query, page, page_size: 100 },
      });
      const batch = response.body ?? [];
      items.push(...batch);
      const total = Number(response.headers.get("x-total-count"));
      if (batch.length < 100 || (Number.isFinite(total) && items.length >= total)) return items;
    }
  }

  /** The id at the end of a 201's Location header (`.../projects/42` -> 42). */
  static createdId(response: HarborResponse<unknown>, what: string): number {
    const location = response.headers.get("location") ?? "";
    const id = Number(location.split("/").pop());
    if (!Number.isInteger(id) || id <= 0) throw new Error(`Harbor created the ${what} but its Location header has no id: "${location}"`);
    return id;
  }
}

/** Node's codes for a certificate chain it does not trust (as opposed to no TLS answer at all). */
const untrustedCertificateCodes = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
]);

/** The verification code when `error` is a fetch failure on a certificate this machine does not trust. */
export function untrustedCertificate(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code && untrustedCertificateCodes.has(code) ? code : undefined;
}

export function untrustedCertificateMessage(code: string): string {
  return (
    `Harbor's certificate is not trusted by the machine running pulumi up (${code}). A stack whose certificates come ` +
    `from Let's Encrypt staging (loco:traffic.certificates.issuer, dev's default) or from the local CA needs that root ` +
    `in NODE_EXTRA_CA_CERTS before pulumi up (README: Deploying for real)`
  );
}

function transportMessage(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? "request failed"} (${cause})` : (e.message ?? String(error));
}

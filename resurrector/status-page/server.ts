/**
 * The status page's HTTP server (node:http: four routes need no framework). Every response carries the security
 * headers; only GET and HEAD read, only the webhook writes; bodies are bounded and slow clients are cut off.
 *
 *   GET  /                     the page (HTML)
 *   GET  /api/status           the same as JSON, format version 1
 *   POST /api/alerts/grafana   Grafana's webhook contact point (only with a secret)
 *   GET  /healthz              200 when the database answers and holds the status tables, for the platform's health check
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Pool, PoolClient } from "pg";
import { applyAlerts } from "../store/alert-incidents";
import { parseGrafanaNotification, WebhookPayloadError } from "./grafana-webhook";
import { contentSecurityPolicy } from "./page-assets";
import { readStatus, type ReadStatusOptions } from "./read-status";
import { renderStatusPage } from "./render-page";
import { statusDocument } from "./status-document";
import { authorize, webhookSecretProblem } from "./webhook-auth";

export const webhookPath = "/api/alerts/grafana";

export interface StatusServerOptions {
  /** Where the page reads from and the webhook writes to. */
  readonly pool: Pool;
  /** The webhook's shared secret; without one the webhook route is not served (404). */
  readonly webhookSecret?: string;
  /**
   * The time the page is rendered for.
   * @default () => new Date()
   */
  readonly clock?: () => Date;
  /**
   * Where one-line operational messages go (refused webhooks, failed reads); never a secret or a request body.
   * @default a line on stderr
   */
  readonly log?: (line: string) => void;
  /** Stale limit and history window of what is shown. */
  readonly read?: ReadStatusOptions;
  /**
   * Largest webhook body accepted, in bytes.
   * @default 1048576
   */
  readonly maxBodyBytes?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const baseHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "strict-transport-security": "max-age=31536000",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
} as const;

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  contentType: "application/json; charset=utf-8",
  body: `${JSON.stringify(value)}\n`,
  headers,
});

const plain = (status: number, text: string, headers: Record<string, string> = {}): Reply => ({
  status,
  contentType: "text/plain; charset=utf-8",
  body: `${text}\n`,
  headers,
});

function send(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, "utf8");
  response.writeHead(reply.status, {
    ...baseHeaders,
    "content-security-policy": reply.contentType.startsWith("text/html")
      ? contentSecurityPolicy
      : "default-src 'none'; frame-ancestors 'none'",
    "cache-control": "no-cache",
    "content-type": reply.contentType,
    "content-length": String(body.length),
    ...reply.headers,
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

/** The body, or an HttpError 413 past the limit (told by Content-Length up front, or counted as it arrives). */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new HttpError(413, `the body is larger than ${limit} bytes`, { connection: "close" }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners("data");
        request.resume();
        reject(new HttpError(413, `the body is larger than ${limit} bytes`, { connection: "close" }));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Who sent a request, for the log: the peer address, and what a proxy in front says it forwarded for. */
function peer(request: IncomingMessage): string {
  const forwarded = request.headers["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim().slice(0, 64);
  return `${request.socket.remoteAddress ?? "unknown"}${first ? ` (forwarded for ${first})` : ""}`;
}

type Handler = (request: IncomingMessage) => Promise<Reply>;

export function createStatusServer(options: StatusServerOptions): Server {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const secret = options.webhookSecret;
  if (secret !== undefined) {
    const problem = webhookSecretProblem(secret);
    if (problem) throw new Error(problem);
  }

  async function withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await options.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  const snapshot = () => withClient((client) => readStatus(client, clock(), options.read));

  const page: Handler = async () => ({
    status: 200,
    contentType: "text/html; charset=utf-8",
    body: renderStatusPage(await snapshot(), { historyDays: options.read?.historyDays }),
  });

  const api: Handler = async () => json(200, statusDocument(await snapshot()), { "access-control-allow-origin": "*" });

  const health: Handler = async () => {
    await withClient((client) => client.query("SELECT 1 FROM resurrector.check_states LIMIT 1"));
    return plain(200, "ok");
  };

  const webhook: Handler = async (request) => {
    const auth = authorize(request.headers.authorization, secret as string);
    if (!auth.ok) {
      log(`webhook: refused ${request.method} ${webhookPath} from ${peer(request)}: ${auth.reason}`);
      throw new HttpError(401, "unauthorized", { "www-authenticate": 'Bearer realm="loco-status"', connection: "close" });
    }
    const type = request.headers["content-type"] ?? "";
    if (!/^application\/json\b/i.test(type)) throw new HttpError(415, "the body must be application/json");
    const receivedAt = clock();
    let notification;
    try {
      notification = parseGrafanaNotification(await readBody(request, maxBodyBytes), receivedAt);
    } catch (error) {
      if (error instanceof WebhookPayloadError) throw new HttpError(400, error.message);
      throw error;
    }
    const outcome = await withClient((client) => applyAlerts(client, notification.alerts, receivedAt));
    const skipped = notification.skipped.map((s) => `alerts[${s.index}] ${s.reason}`);
    log(
      `webhook: ${notification.alerts.length} alert(s) applied; opened [${outcome.opened.join(", ")}], resolved [${outcome.resolved.join(", ")}]` +
        (skipped.length > 0 ? `; skipped ${skipped.join("; ")}` : ""),
    );
    return json(200, { accepted: notification.alerts.length, skipped: notification.skipped.length, ...outcome });
  };

  const routes = new Map<string, Partial<Record<string, Handler>>>([
    ["/", { GET: page }],
    ["/api/status", { GET: api }],
    ["/healthz", { GET: health }],
    ...(secret !== undefined ? [[webhookPath, { POST: webhook }] as const] : []),
  ]);

  async function handle(request: IncomingMessage): Promise<Reply> {
    const path = new URL(request.url ?? "/", "http://status.invalid").pathname;
    const route = routes.get(path);
    if (!route) return plain(404, "Not found");
    const method = request.method === "HEAD" ? "GET" : (request.method ?? "");
    const handler = route[method];
    if (!handler) {
      const allowed = Object.keys(route).flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
      return plain(405, `Method not allowed: use ${allowed.join(" or ")}`, { allow: allowed.join(", ") });
    }
    // A body on a read is not read: drain it so the connection can be reused.
    if (method !== "POST") request.resume();
    return handler(request);
  }

  const server = createServer((request, response) => {
    handle(request)
      .catch((error: unknown): Reply => {
        if (error instanceof HttpError) return json(error.status, { error: error.message }, error.headers);
        log(
          `status page: ${request.method} ${new URL(request.url ?? "/", "http://status.invalid").pathname} failed: ${(error as Error).message}`,
        );
        return plain(503, "The status is unavailable right now; try again in a minute.", { "retry-after": "30" });
      })
      .then((reply) => send(request, response, reply))
      .catch(() => response.destroy());
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;
  // A socket idle this long is closed, whatever it is waiting for.
  server.setTimeout(60_000, (socket) => socket.destroy());
  return server;
}

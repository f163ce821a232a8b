/**
 * What went wrong with one request to the Kubernetes API, as one line and as the facts a retry decides on:
 * the HTTP status and the API's own reason, Retry-After, the fields another field manager holds, and whether the
 * connection itself failed. client-node throws `ApiException` (status, headers, body) for answers and node-fetch's
 * `FetchError` (a system error code) for connections; both are read here and nowhere else.
 */
import { ApiException } from "@kubernetes/client-node";

/** No answer within the request's deadline. */
export class RequestTimeoutError extends Error {
  override readonly name = "RequestTimeoutError";
}

export interface KubeFailure {
  /** HTTP status; undefined when there was no answer. */
  readonly status?: number;
  /** The Status object's reason (Conflict, AlreadyExists, NotFound, Invalid, TooManyRequests ...). */
  readonly reason?: string;
  /** One line: the API's own message, or the connection error. Never a request body. */
  readonly message: string;
  /** Seconds the server asked to wait (Retry-After header or the Status' details.retryAfterSeconds). */
  readonly retryAfterSeconds?: number;
  /** Server-side apply conflicts: which manager holds which field, as the API names them. */
  readonly conflicts: readonly { readonly manager: string; readonly field: string }[];
  /** No answer at all: refused, reset, dropped, timed out. */
  readonly connection: boolean;
}

/** System error codes of a connection that failed or was cut: worth another try. */
const connectionCodes = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { retryAfterSeconds?: number; causes?: { type?: string; message?: string; field?: string }[] };
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === "object" && body !== null) return body as StatusBody;
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === "object" && parsed !== null) return parsed as StatusBody;
    } catch {
      return { message: body.trim().split("\n")[0]?.slice(0, 300) };
    }
  }
  return {};
}

function retryAfter(headers: Record<string, string> | undefined, body: StatusBody): number | undefined {
  const header = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const seconds = header === undefined ? Number.NaN : Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const fromBody = body.details?.retryAfterSeconds;
  return typeof fromBody === "number" && fromBody >= 0 ? fromBody : undefined;
}

/** Reads any error a client-node call can throw. */
export function kubeFailure(error: unknown): KubeFailure {
  if (error instanceof ApiException) {
    const body = statusBody(error.body);
    const conflicts = (body.details?.causes ?? [])
      .filter((cause) => cause.type === "FieldManagerConflict")
      .map((cause) => ({ manager: /"([^"]*)"/.exec(cause.message ?? "")?.[1] ?? cause.message ?? "", field: cause.field ?? "" }));
    return {
      status: error.code,
      reason: body.reason,
      message: `HTTP ${error.code}${body.message ? `: ${body.message}` : ""}`,
      retryAfterSeconds: retryAfter(error.headers, body),
      conflicts,
      connection: false,
    };
  }
  if (error instanceof RequestTimeoutError) return { message: `timed out: ${error.message}`, conflicts: [], connection: true };
  const code = (error as { code?: string } | undefined)?.code;
  const message = (error as Error | undefined)?.message ?? String(error);
  return {
    message: code && !message.includes(code) ? `${message} (${code})` : message,
    conflicts: [],
    connection: code !== undefined && connectionCodes.has(code),
  };
}

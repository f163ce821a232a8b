/**
 * The shared secret on Grafana's webhook. Grafana's webhook contact point can send it either as an
 * `Authorization` header with a scheme (default "Bearer") and credentials, or as HTTP Basic authentication; both
 * are accepted, the Basic user name is ignored. The comparison takes the same time whatever the presented value:
 * both sides are hashed to equal length and compared with timingSafeEqual.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** The environment variable that holds the secret. */
export const webhookSecretVariable = "LOCO_STATUS_WEBHOOK_SECRET";

/** Shorter secrets are refused at start: the webhook is on the public internet. */
export const minimumSecretLength = 32;

/** Why a configured secret is unusable (never echoing it), or undefined. */
export function webhookSecretProblem(secret: string): string | undefined {
  if (secret.length < minimumSecretLength) {
    return `${webhookSecretVariable} must be at least ${minimumSecretLength} characters (it has ${secret.length}); e.g. openssl rand -hex 32`;
  }
  if (/\s/.test(secret)) return `${webhookSecretVariable} must not contain white space`;
  return undefined;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export type AuthOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Checks an Authorization header against the secret; the reason never contains what was presented. */
export function authorize(header: string | undefined, secret: string): AuthOutcome {
  if (header === undefined || header === "") return { ok: false, reason: "no Authorization header" };
  const match = /^(\S+)\s+(\S+)$/.exec(header.trim());
  if (!match) return { ok: false, reason: "malformed Authorization header" };
  const scheme = match[1].toLowerCase();
  let presented: string;
  if (scheme === "bearer") {
    presented = match[2];
  } else if (scheme === "basic") {
    const decoded = Buffer.from(match[2], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon === -1) return { ok: false, reason: "malformed Basic credentials" };
    presented = decoded.slice(colon + 1);
  } else {
    return { ok: false, reason: "unsupported Authorization scheme (use Bearer or Basic)" };
  }
  return timingSafeEqual(digest(presented), digest(secret)) ? { ok: true } : { ok: false, reason: "wrong credentials" };
}

/**
 * Kubernetes names for tenant apps, derived deterministically from loco's ids and names. loco's names are user
 * input (any case, underscores, leading digits); Kubernetes names are DNS labels. A name that had to change, or be
 * shortened, gets a hash of the original, so two apps whose names differ only in case or punctuation never land
 * on the same Kubernetes name.
 */
import { createHash } from "node:crypto";

const hash8 = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 8);

/**
 * A DNS-1035 label (lowercase alphanumerics and '-', starting with a letter, at most `maxLength`) for `name`:
 * `name` itself when it already is one, else a sanitized form with a hash of the original appended.
 */
export function dnsLabel(name: string, maxLength = 63): string {
  let candidate = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (!/^[a-z]/.test(candidate)) candidate = `app-${candidate}`.replace(/-$/, "");
  if (candidate === name && candidate.length <= maxLength) return candidate;
  const suffix = `-${hash8(name)}`;
  return `${candidate.slice(0, maxLength - suffix.length).replace(/-$/, "")}${suffix}`;
}

/**
 * The namespace of one app: one per (workspace, app). Built from the workspace's id, which never changes, and the
 * app's name, so an operator can read it (`w17-api`).
 */
export function tenantNamespace(workspaceId: string, appName: string): string {
  const prefix = `w${workspaceId}-`;
  return `${prefix}${dnsLabel(appName, 63 - prefix.length)}`;
}

/** The name of the app's Deployment, Service and other per-app objects inside its namespace. */
export const appObjectName = (appName: string) => dnsLabel(appName, 63);

const siblingVariables = new Map<string, string>();

/** The variable that carries a sibling app's URL: LOCO_<APP>_URL, with APP upper-cased and non-alphanumerics as '_'. */
export function siblingUrlVariable(appName: string): string {
  // Every app of a workspace names every sibling: computed once per name, not once per pair.
  let variable = siblingVariables.get(appName);
  if (variable === undefined) {
    variable = `LOCO_${appName.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_URL`;
    siblingVariables.set(appName, variable);
  }
  return variable;
}

/** A label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends). */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (cleaned === value && cleaned.length <= 63) return cleaned;
  const suffix = `-${hash8(value)}`;
  const head = cleaned.slice(0, 63 - suffix.length).replace(/[^A-Za-z0-9]+$/, "");
  return head ? `${head}${suffix}` : hash8(value);
}

/** A DNS subdomain object name (at most 253 characters) from a hostname, hashed when too long. */
export function hostObjectName(prefix: string, hostname: string): string {
  const name = `${prefix}${hostname}`;
  if (name.length <= 253) return name;
  const suffix = `-${hash8(name)}`;
  return `${name.slice(0, 253 - suffix.length).replace(/[.-]+$/, "")}${suffix}`;
}

/** Hostnames compare case-insensitively and without a trailing dot. */
export const normalizeHostname = (hostname: string) => hostname.trim().toLowerCase().replace(/\.$/, "");

const hostnameLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A concrete (non-wildcard) DNS hostname with at least two labels, as Gateway API and cert-manager accept it. */
export function isHostname(hostname: string): boolean {
  if (hostname.length > 253) return false;
  const labels = hostname.split(".");
  return labels.length >= 2 && labels.every((label) => hostnameLabel.test(label)) && /[a-z]/.test(labels[labels.length - 1]);
}

/**
 * The one TLS certificate every public name is served with, and the seam that lets a rebuilt cluster start from a
 * preserved copy of it instead of asking Let's Encrypt again (5 certificates per exact set of names per week).
 *
 * The traffic layer declares a cert-manager Certificate for these names; cert-manager writes the key pair into
 * {@link publicCertificate}.secretName, which every HTTPS listener of the shared Gateway references. The resurrector
 * backs that Secret up and, on a rebuild, hands it back through the `loco:preservedCertificates` secret config: the
 * platform then creates the Secret before the Certificate exists, so cert-manager finds a valid certificate and
 * only renews it when it is due.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { sharedGateway } from "./shared-gateway";

/** The Certificate, and the `kubernetes.io/tls` Secret it fills, in the shared Gateway's namespace. */
export const publicCertificate = { name: "loco-public", secretName: "loco-public-tls", namespace: sharedGateway.namespace } as const;

/** Label on every certificate Secret the resurrector should back up (set through the Certificate's secretTemplate). */
export const preservedSecretLabel = { key: "loco.dev/preserve", value: "true" } as const;

/**
 * Names on the certificate: the apex, `*.{baseDomain}` (tenant apps and the platform's own names) and
 * `*.{regionName}.{baseDomain}` (region-pinned tenant hosts). A wildcard covers one label only, so the apex and
 * the region wildcard must be listed; keeping them on one certificate means one ACME order per rebuild.
 */
export function publicCertificateDnsNames(baseDomain: string, regionName: string): string[] {
  return [baseDomain, `*.${baseDomain}`, `*.${regionName}.${baseDomain}`];
}

/** A `kubernetes.io/tls` Secret's payload, as the resurrector stores it (PEM). */
export interface PreservedCertificate {
  readonly "tls.crt": string;
  readonly "tls.key": string;
  readonly "ca.crt"?: string;
}

/** Preserved certificates by Secret name. */
export type PreservedCertificates = Readonly<Record<string, PreservedCertificate>>;

export interface PreservedCertificateExpectations {
  /** Secret name -> the DNS names its Certificate asks for. */
  readonly certificates: Readonly<Record<string, readonly string[]>>;
  /** The moment a certificate must still be valid at. */
  readonly now: Date;
}

/**
 * Pure: parses `loco:preservedCertificates` and lists every problem without echoing any of it (it holds private
 * keys). A certificate is only worth restoring if cert-manager will keep it: it must be for a Secret this stack
 * declares, carry exactly the names that Certificate asks for, match its private key and not have expired.
 */
export function parsePreservedCertificates(
  json: string,
  expected: PreservedCertificateExpectations,
): { value?: PreservedCertificates; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { problems: ['must be a JSON object {"<secret name>": {"tls.crt": PEM, "tls.key": PEM}} (value hidden: it is a secret)'] };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { problems: ['must be a JSON object {"<secret name>": {"tls.crt": PEM, "tls.key": PEM}} (value hidden)'] };
  }
  const problems: string[] = [];
  const value: Record<string, PreservedCertificate> = {};
  for (const [secretName, entry] of Object.entries(parsed)) {
    const names = expected.certificates[secretName];
    if (!names) {
      problems.push(
        `has a certificate for "${secretName}", which this stack does not declare (known: ${Object.keys(expected.certificates).join(", ")})`,
      );
      continue;
    }
    const problem = certificateProblem(entry, names, expected.now);
    if (problem) problems.push(`"${secretName}" ${problem} (value hidden)`);
    else value[secretName] = entry as PreservedCertificate;
  }
  return problems.length > 0 ? { problems } : { value, problems };
}

function certificateProblem(entry: unknown, names: readonly string[], now: Date): string | undefined {
  const pem = entry as Partial<Record<string, unknown>> | null;
  if (!pem || typeof pem !== "object" || typeof pem["tls.crt"] !== "string" || typeof pem["tls.key"] !== "string") {
    return 'must have "tls.crt" and "tls.key" as PEM strings';
  }
  const unknownKeys = Object.keys(pem).filter((k) => !["tls.crt", "tls.key", "ca.crt"].includes(k));
  if (unknownKeys.length > 0) return `has unknown keys ${unknownKeys.join(", ")}: only tls.crt, tls.key and ca.crt are restored`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem["tls.crt"]);
  } catch {
    return "tls.crt is not a PEM certificate";
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(pem["tls.key"]))) return "tls.key does not belong to tls.crt";
  } catch {
    return "tls.key is not a PEM private key";
  }
  if (Date.parse(certificate.validTo) <= now.getTime()) return `expired on ${certificate.validTo}: let cert-manager issue a new one`;
  const onCertificate = (certificate.subjectAltName ?? "")
    .split(",")
    .map((san) => san.trim())
    .filter((san) => san.startsWith("DNS:"))
    .map((san) => san.slice(4))
    .sort();
  const wanted = [...names].sort();
  if (JSON.stringify(onCertificate) !== JSON.stringify(wanted)) {
    return `is for ${onCertificate.join(", ") || "no DNS names"}, not ${wanted.join(", ")}: cert-manager would replace it at once`;
  }
  return undefined;
}

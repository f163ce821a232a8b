/**
 * Preserved certificates in a rebuild: which platform certificate can be handed back (only the one the traffic
 * layer declares, with exactly its names), where each tenant route's certificate comes from, and, with the master
 * key, which preserved certificates do not open.
 */
import type { MasterKey } from "../crypto/envelope";
import type { TenantRoute } from "../render/domains";
import { userDomainTlsSecretName } from "../render/app-routing";
import { compareStrings } from "../render/objects";
import { openCertificate, type SealedCertificate } from "../store/certificates";
import { publicCertificate, publicCertificateDnsNames } from "../../lib/public-certificate";

export interface CertificateRestore {
  readonly namespace: string;
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly notAfter: string;
  /**
   * valid: restored (through `loco:preservedCertificates`) and served; expired: cert-manager re-issues it;
   * undeclared: the platform declares no such certificate, so config validation would refuse it (see `reason`).
   */
  readonly state: "valid" | "expired" | "undeclared";
  /** Why an undeclared certificate cannot be restored. */
  readonly reason?: string;
}

/** wildcard: the Gateway's certificate; preserved: restored from the store; issued: cert-manager requests one. */
export type RouteTls = "wildcard" | "preserved" | "issued";

/** Preserved certificates by `namespace/secretName`. */
export const certificatesBySecret = (certificates: readonly SealedCertificate[]) =>
  new Map(certificates.map((c) => [`${c.namespace}/${c.secretName}`, c]));

/** Where a route's certificate comes from on the new cluster. An expired preserved one is re-issued anyway. */
export function routeTls(route: TenantRoute, namespace: string, preserved: ReadonlyMap<string, SealedCertificate>, now: Date): RouteTls {
  if (route.attachment !== "user-domain") return "wildcard";
  const certificate = preserved.get(`${namespace}/${userDomainTlsSecretName(route.hostname)}`);
  return certificate && certificate.notAfter.getTime() > now.getTime() ? "preserved" : "issued";
}

/**
 * A platform certificate the rebuild can hand back. Only the certificate the traffic layer declares
 * (lib/public-certificate.ts) with exactly its names can be restored: config validation refuses anything else.
 */
export function certificateRestore(
  certificate: SealedCertificate,
  context: { baseDomain: string; regionName: string; now: Date },
): CertificateRestore {
  const dnsNames = [...certificate.dnsNames].sort(compareStrings);
  const expected = [...publicCertificateDnsNames(context.baseDomain, context.regionName)].sort(compareStrings);
  const restore = {
    namespace: certificate.namespace,
    secretName: certificate.secretName,
    dnsNames,
    notAfter: certificate.notAfter.toISOString(),
  };
  if (certificate.namespace !== publicCertificate.namespace || certificate.secretName !== publicCertificate.secretName) {
    const declared = `${publicCertificate.namespace}/${publicCertificate.secretName}`;
    return { ...restore, state: "undeclared", reason: `the platform's only certificate is ${declared}` };
  }
  if (dnsNames.join(",") !== expected.join(",")) {
    return { ...restore, state: "undeclared", reason: `its names differ from the platform's (${expected.join(", ")})` };
  }
  return { ...restore, state: certificate.notAfter.getTime() > context.now.getTime() ? "valid" : "expired" };
}

/** A warning per preserved certificate the key does not open: cert-manager issues a new one instead. */
export function unopenableCertificates(certificates: readonly SealedCertificate[], key: MasterKey): string[] {
  const warnings: string[] = [];
  for (const certificate of certificates) {
    try {
      openCertificate(key, certificate);
    } catch (error) {
      warnings.push(
        `preserved certificate ${certificate.namespace}/${certificate.secretName} cannot be opened (${(error as Error).message}): cert-manager will issue a new one`,
      );
    }
  }
  return warnings;
}

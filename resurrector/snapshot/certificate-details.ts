/**
 * What a certificate Secret's `tls.crt` says: the names it covers and when it expires, read from the certificate
 * itself (cert-manager's annotations describe what was asked for, not what was issued).
 */
import { X509Certificate } from "node:crypto";

export interface CertificateDetails {
  readonly dnsNames: readonly string[];
  readonly notAfter: Date;
}

/** The leaf certificate's DNS names (lower case, sorted) and expiry; throws a one-line Error for anything else. */
export function certificateDetails(pem: string): CertificateDetails {
  const leaf = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!leaf) throw new Error("tls.crt holds no PEM certificate");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(leaf);
  } catch {
    throw new Error("tls.crt is not a readable X.509 certificate");
  }
  const dnsNames = (certificate.subjectAltName ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith("DNS:"))
    .map((entry) => entry.slice(4).toLowerCase())
    .sort();
  if (dnsNames.length === 0) throw new Error("tls.crt names no DNS name (no subjectAltName)");
  const notAfter = new Date(certificate.validTo);
  if (Number.isNaN(notAfter.getTime())) throw new Error("tls.crt has an unreadable expiry");
  return { dnsNames: [...new Set(dnsNames)], notAfter };
}

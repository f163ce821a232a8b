/**
 * Phase 2 of a rebuild: the preserved TLS certificates (resurrector.tls_certificates) back onto the new cluster
 * before cert-manager reconciles their Certificates, so nothing asks Let's Encrypt again (5 certificates per set of
 * names per week: a few rebuilds in a row would otherwise lock a domain out for days).
 *
 * Two routes, because the two kinds of certificate are created at different times:
 * - The platform's own certificate ({@link publicCertificate}) is handed to phase 1 through the secret config
 *   `loco:preservedCertificates` (docs/traffic.md, "Certificates"): the program creates the Secret before the
 *   Certificate, within the same `up`, which is the only order that leaves cert-manager nothing to issue.
 * - Every other preserved Secret (tenants' own domains) is server-side applied here, right after converge and
 *   before the replay creates the Certificates that use them; a namespace that does not exist yet is created
 *   (by name only, with the replay's field manager, which later applies the same Namespace with its labels).
 * Expired certificates are not restored: cert-manager would replace them at once anyway.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { publicCertificate, type PreservedCertificates } from "../../lib/public-certificate";
import { openCertificate, type SealedCertificate } from "../store/certificates";
import type { MasterKey } from "../crypto/envelope";
import { KubeClient } from "../kube/api-client";
import type { KubeTarget } from "../kube/kubeconfig";
import { applyObject, type ApplySettings } from "../replay/apply-object";
import { defaultRetryPolicy } from "../replay/retry-policy";

const secretKey = (certificate: { namespace: string; secretName: string }) => `${certificate.namespace}/${certificate.secretName}`;
const isPlatformCertificate = (certificate: SealedCertificate) =>
  certificate.namespace === publicCertificate.namespace && certificate.secretName === publicCertificate.secretName;
const isValid = (certificate: SealedCertificate, now: Date) => certificate.notAfter.getTime() > now.getTime();

/** The platform certificates phase 1 passes through `loco:preservedCertificates` (PEM, as that config takes them). */
export function platformCertificatesForConfig(
  sealed: readonly SealedCertificate[],
  master: MasterKey | undefined,
  now: Date,
): PreservedCertificates {
  const result: Record<string, PreservedCertificates[string]> = {};
  if (!master) return result;
  for (const certificate of sealed.filter((c) => isPlatformCertificate(c) && isValid(c, now))) {
    const secret = openCertificate(master, certificate);
    const pem = (key: string) => (secret.data[key] === undefined ? undefined : Buffer.from(secret.data[key], "base64").toString("utf8"));
    const crt = pem("tls.crt");
    const key = pem("tls.key");
    const ca = pem("ca.crt");
    if (crt && key) result[certificate.secretName] = { "tls.crt": crt, "tls.key": key, ...(ca ? { "ca.crt": ca } : {}) };
  }
  return result;
}

export interface CertificateRestoreReport {
  /** namespace/name of each Secret, by what happened to it. */
  readonly viaConfig: readonly string[];
  readonly applied: readonly string[];
  readonly expired: readonly string[];
  readonly failed: readonly { readonly secret: string; readonly reason: string }[];
}

/** What phase 2 would do, without a cluster (dry run) or with one. */
export function certificatePlan(sealed: readonly SealedCertificate[], now: Date) {
  return {
    viaConfig: sealed.filter((c) => isPlatformCertificate(c) && isValid(c, now)).map(secretKey),
    toApply: sealed.filter((c) => !isPlatformCertificate(c) && isValid(c, now)),
    expired: sealed.filter((c) => !isValid(c, now)).map(secretKey),
  };
}

export async function restoreCertificates(args: {
  readonly target: KubeTarget;
  readonly sealed: readonly SealedCertificate[];
  readonly master: MasterKey | undefined;
  readonly now: Date;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}): Promise<CertificateRestoreReport> {
  const plan = certificatePlan(args.sealed, args.now);
  const failed: { secret: string; reason: string }[] = [];
  const applied: string[] = [];
  if (plan.toApply.length === 0) return { viaConfig: plan.viaConfig, applied, expired: plan.expired, failed };
  if (!args.master) {
    return {
      viaConfig: plan.viaConfig,
      applied,
      expired: plan.expired,
      failed: plan.toApply.map((c) => ({
        secret: secretKey(c),
        reason: "LOCO_RESURRECTOR_KEY is not set: the sealed Secret cannot be opened",
      })),
    };
  }
  const settings: ApplySettings = {
    dryRun: false,
    // A fresh cluster: nobody else manages these Secrets yet.
    forceConflicts: true,
    retry: defaultRetryPolicy,
    random: Math.random,
    sleep: args.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  const client = await KubeClient.connect(args.target, { timeoutMs: args.timeoutMs ?? 30_000, keepAliveSockets: 4 });
  try {
    const namespaces = new Set<string>();
    for (const certificate of plan.toApply) {
      const name = secretKey(certificate);
      try {
        if (!namespaces.has(certificate.namespace)) {
          const namespace: KubernetesObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: certificate.namespace } };
          const created = await applyObject(client, namespace, undefined, settings);
          if (created.outcome === "failed") throw new Error(`namespace ${certificate.namespace}: ${created.reason ?? "failed"}`);
          namespaces.add(certificate.namespace);
        }
        const secret = openCertificate(args.master, certificate);
        const object: KubernetesObject & { type: string; data: Record<string, string> } = {
          apiVersion: "v1",
          kind: "Secret",
          metadata: {
            name: certificate.secretName,
            namespace: certificate.namespace,
            labels: { ...secret.labels },
            annotations: { ...secret.annotations },
          },
          type: secret.type,
          data: { ...secret.data },
        };
        const result = await applyObject(client, object, undefined, settings);
        if (result.outcome === "failed") failed.push({ secret: name, reason: result.reason ?? "failed" });
        else applied.push(name);
      } catch (error) {
        failed.push({ secret: name, reason: (error as Error).message });
      }
    }
  } finally {
    client.close();
  }
  return { viaConfig: plan.viaConfig, applied, expired: plan.expired, failed };
}

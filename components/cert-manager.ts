/**
 * cert-manager and the certificates the Gateway serves. On dev and prod: ClusterIssuers for Let's Encrypt staging and
 * production that solve DNS-01 on Cloudflare with the zone-scoped token (its Secret lives in cert-manager's
 * namespace, where ClusterIssuers read secrets). On the local stack: a self-signed CA, since nothing public can
 * reach a laptop.
 *
 * A certificate can start from a preserved copy: its Secret is created first, with the annotations cert-manager
 * compares against the Certificate, so cert-manager adopts it and only renews it when due (lib/public-certificate.ts).
 */
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { certManagerChart, certManagerValues } from "../charts/cert-manager";
import { awaitCondition } from "../lib/kubernetes-await";
import { preservedSecretLabel, type PreservedCertificate } from "../lib/public-certificate";
import { chartRelease } from "./chart-release";
import { customObject } from "./custom-object";
import { platformNamespace } from "./namespace";
import { platformNamespaces } from "../lib/platform-namespaces";
import { gatewayListeners, sharedGatewayParentRef } from "../lib/shared-gateway";
import { userDomainIssuer } from "../lib/tenant-domains";

export const certManagerNamespace = platformNamespaces.certManager;

/** Let's Encrypt's ACME directories. */
export const acmeServers = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-production": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

export type AcmeIssuerName = keyof typeof acmeServers;

/** The local stack's issuers: a self-signed root that signs a CA, which issues everything else. */
export const localIssuers = { selfSigned: "loco-selfsigned", ca: "loco-local-ca" } as const;

/** The Secret (in cert-manager's namespace) holding the scoped Cloudflare token, and its key. */
export const dnsSolverTokenSecret = { name: "cloudflare-dns01-token", key: "api-token" } as const;

/** How long Pulumi waits for a certificate: an ACME DNS-01 order waits for propagation, often minutes. */
const issuanceTimeoutSeconds = 1200;

export type IssuerArgs =
  | {
      /** Let's Encrypt with DNS-01 on Cloudflare (dev, prod). Both issuers exist; `use` picks the certificates' one. */
      readonly kind: "acme";
      /** The directory the certificates are ordered from: staging (untrusted, generous limits) or production. */
      readonly use: AcmeIssuerName;
      /**
       * Contact address of the ACME account.
       * @default no contact address
       */
      readonly email?: string;
      /** Cloudflare zone the solver may write TXT records in. */
      readonly dnsZone: string;
      /** Token limited to DNS edit and zone read on that zone (secret). */
      readonly cloudflareApiToken: pulumi.Input<string>;
    }
  | {
      /** A self-signed CA (the local stack). */
      readonly kind: "local-ca";
    };

export interface CertificateArgs {
  /** Certificate name; also written on its Secret. */
  readonly name: string;
  /** `kubernetes.io/tls` Secret cert-manager fills. */
  readonly secretName: string;
  /** Namespace of the Certificate and its Secret (the consumer's, e.g. the Gateway's). */
  readonly namespace: pulumi.Input<string>;
  /** The names on the certificate (wildcards allowed); at least one. */
  readonly dnsNames: readonly string[];
  /**
   * A preserved key pair to start from instead of issuing (secret).
   * @default none: cert-manager issues a new certificate
   */
  readonly preserved?: pulumi.Input<PreservedCertificate>;
}

/** Replica counts and sizes have no default here: each stack states them (stacks/config-defaults.ts). */
export interface CertManagerArgs {
  /** The Gateway API CRDs: cert-manager watches Gateway API objects for HTTP-01 and must start after them. */
  readonly gatewayApiCrds: pulumi.Resource;
  /** Controller and webhook replicas; 2 or more keeps issuing through a node loss. */
  readonly replicas: number;
  /** Who signs the certificates, also for tenants' own domains: Let's Encrypt (dev, prod) or a local CA. */
  readonly issuer: IssuerArgs;
  /** Certificates to declare (each Secret name once); the ClusterIssuers exist either way. */
  readonly certificates: readonly CertificateArgs[];
}

export class CertManager extends pulumi.ComponentResource {
  /** The ClusterIssuer the certificates use. */
  public readonly issuerName: string;
  /** The Certificates, each created only once cert-manager reports it Ready: what serves with them waits for these. */
  public readonly certificatesReady: pulumi.Resource[];
  /** Every certificate's Secret, for the resurrector to back up. */
  public readonly certificateSecrets: pulumi.Output<{ name: string; namespace: string; secretName: string; dnsNames: string[] }[]>;
  /** The Secret the DNS-01 solver reads the Cloudflare token from, per challenge (none with the local CA). */
  public readonly dnsSolverTokenSecrets: readonly pulumi.Resource[];

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:traffic:CertManager", name, {}, opts);
    validateCertManagerArgs(name, args, this);

    const namespace = platformNamespace(`${name}-namespace`, { name: certManagerNamespace, podSecurity: "restricted" }, { parent: this });
    const release = chartRelease(
      `${name}-release`,
      certManagerChart,
      {
        releaseName: "cert-manager",
        namespace: namespace.metadata.name,
        values: certManagerValues({ replicas: args.replicas, namespace: certManagerNamespace }),
      },
      // With Gateway API support on, cert-manager reads Gateway API types at start.
      { parent: this, dependsOn: [args.gatewayApiCrds] },
    );

    const issuer =
      args.issuer.kind === "acme" ? this.acmeIssuers(name, args.issuer, namespace, release) : this.localIssuers(name, release, namespace);
    customObject(
      `${name}-user-domains`,
      args.issuer.kind === "acme" ? userDomainAcmeIssuerObject(args.issuer.use, args.issuer.email) : userDomainLocalIssuerObject(),
      // The CRD comes with the release; on local the CA it signs with must exist.
      { parent: this, dependsOn: [release, issuer.resource] },
    );

    this.certificatesReady = args.certificates.map((certificate) => {
      const seed = certificate.preserved ? this.restoredSecret(name, certificate, issuer.name) : undefined;
      return customObject(
        `${name}-${certificate.name}`,
        {
          ...certificateObject(certificate, issuer.name),
          // Created (for Pulumi) once issued: what serves with it then waits for a certificate, not for retries.
          metadata: {
            name: certificate.name,
            namespace: certificate.namespace,
            annotations: awaitCondition("Ready", issuanceTimeoutSeconds),
          },
        },
        {
          parent: this,
          // The CRD comes with the release; the issuer must exist to be used; a restored Secret must be in place
          // before cert-manager first looks at the Certificate, or it would start a new ACME order.
          dependsOn: [release, issuer.resource, ...(seed ? [seed] : [])],
        },
      );
    });

    this.issuerName = issuer.name;
    this.dnsSolverTokenSecrets = issuer.tokenSecret ? [issuer.tokenSecret] : [];
    this.certificateSecrets = pulumi.output(
      args.certificates.map((c) =>
        pulumi.all([c.namespace]).apply(([ns]) => ({ name: c.name, namespace: ns, secretName: c.secretName, dnsNames: [...c.dnsNames] })),
      ),
    );
    this.registerOutputs({ certificateSecrets: this.certificateSecrets });
  }

  private acmeIssuers(
    name: string,
    issuer: Extract<IssuerArgs, { kind: "acme" }>,
    namespace: k8s.core.v1.Namespace,
    release: k8s.helm.v3.Release,
  ): { name: string; resource: pulumi.Resource; tokenSecret: pulumi.Resource } {
    const token = new k8s.core.v1.Secret(
      `${name}-dns01-token`,
      {
        metadata: { name: dnsSolverTokenSecret.name, namespace: namespace.metadata.name },
        type: "Opaque",
        stringData: { [dnsSolverTokenSecret.key]: pulumi.secret(issuer.cloudflareApiToken) },
      },
      { parent: this },
    );
    const issuers = (Object.keys(acmeServers) as AcmeIssuerName[]).map((issuerName) =>
      customObject(`${name}-${issuerName}`, acmeIssuerObject(issuerName, issuer), {
        parent: this,
        // ClusterIssuer is a cert-manager CRD; the solver reads the token Secret on first use.
        dependsOn: [release, token],
      }),
    );
    return { name: issuer.use, resource: issuers[Object.keys(acmeServers).indexOf(issuer.use)], tokenSecret: token };
  }

  private localIssuers(
    name: string,
    release: k8s.helm.v3.Release,
    namespace: k8s.core.v1.Namespace,
  ): { name: string; resource: pulumi.Resource; tokenSecret?: undefined } {
    const selfSigned = customObject(`${name}-selfsigned`, selfSignedIssuerObject(), { parent: this, dependsOn: [release] });
    const ca = customObject(
      `${name}-local-ca-certificate`,
      { ...localCaCertificateObject(), metadata: { name: localIssuers.ca, namespace: namespace.metadata.name } },
      { parent: this, dependsOn: [release, selfSigned] },
    );
    const issuer = customObject(`${name}-local-ca`, localCaIssuerObject(), { parent: this, dependsOn: [release, ca] });
    return { name: localIssuers.ca, resource: issuer };
  }

  private restoredSecret(name: string, certificate: CertificateArgs, issuerName: string): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
      `${name}-${certificate.name}-restored`,
      {
        metadata: {
          name: certificate.secretName,
          namespace: certificate.namespace,
          ...restoredSecretMetadata(certificate.name, issuerName),
        },
        type: "kubernetes.io/tls",
        stringData: pulumi.secret(certificate.preserved as pulumi.Input<PreservedCertificate>).apply((pem) => ({ ...pem })),
      },
      {
        parent: this,
        // A seed: once created, cert-manager owns the contents and renews them. Pulumi must never write the
        // preserved (older) certificate back over a renewed one.
        ignoreChanges: ["data", "stringData", "type", "metadata.annotations", "metadata.labels"],
        // Dropping the preserved copy from config after a rebuild must not delete the live certificate.
        retainOnDelete: true,
      },
    );
  }
}

/**
 * Pure: the labels and annotations cert-manager checks before it accepts an existing Secret for a Certificate.
 * Without matching issuer annotations it treats the Secret as issued by someone else and orders a new certificate.
 */
export function restoredSecretMetadata(certificateName: string, issuerName: string) {
  return {
    labels: { [preservedSecretLabel.key]: preservedSecretLabel.value },
    annotations: {
      "cert-manager.io/certificate-name": certificateName,
      "cert-manager.io/issuer-name": issuerName,
      "cert-manager.io/issuer-kind": "ClusterIssuer",
      "cert-manager.io/issuer-group": "cert-manager.io",
    },
  };
}

/** Pure: a Let's Encrypt ClusterIssuer solving DNS-01 on the one Cloudflare zone, with the scoped token. */
export function acmeIssuerObject(
  issuerName: AcmeIssuerName,
  args: Pick<Extract<IssuerArgs, { kind: "acme" }>, "email" | "dnsZone">,
): IClusterIssuer & { metadata: { name: string } } {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: issuerName },
    spec: {
      acme: {
        server: acmeServers[issuerName],
        ...(args.email ? { email: args.email } : {}),
        // The ACME account key; a rebuilt cluster registers a new account, which Let's Encrypt allows freely.
        privateKeySecretRef: { name: `${issuerName}-account` },
        solvers: [
          {
            selector: { dnsZones: [args.dnsZone] },
            dns01: { cloudflare: { apiTokenSecretRef: { name: dnsSolverTokenSecret.name, key: dnsSolverTokenSecret.key } } },
          },
        ],
      },
    },
  };
}

/**
 * Pure: the issuer of tenants' own domains (lib/tenant-domains.ts): the same ACME directory as the platform's
 * certificate, solving HTTP-01 through the shared Gateway's port-80 listener, because the domains' DNS is not ours.
 */
export function userDomainAcmeIssuerObject(directory: AcmeIssuerName, email?: string): IClusterIssuer & { metadata: { name: string } } {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: userDomainIssuer.name },
    spec: {
      acme: {
        server: acmeServers[directory],
        ...(email ? { email } : {}),
        privateKeySecretRef: { name: `${userDomainIssuer.name}-account` },
        solvers: [
          {
            http01: {
              gatewayHTTPRoute: {
                parentRefs: [sharedGatewayParentRef(gatewayListeners.http)],
              },
            },
          },
        ],
      },
    },
  };
}

/** Pure: on the local stack tenants' own domains are signed by the local CA, under the name the renderer uses. */
export function userDomainLocalIssuerObject(): IClusterIssuer & { metadata: { name: string } } {
  return { ...localCaIssuerObject(), metadata: { name: userDomainIssuer.name } };
}

/** Pure: the local stack's self-signed root issuer (only signs the local CA). */
export function selfSignedIssuerObject(): IClusterIssuer & { metadata: { name: string } } {
  return { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: localIssuers.selfSigned }, spec: { selfSigned: {} } };
}

/** Pure: the local CA certificate, kept in cert-manager's namespace where the CA issuer reads it. */
export function localCaCertificateObject(): ICertificate & { metadata: { name: string } } {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: localIssuers.ca, namespace: certManagerNamespace },
    spec: {
      isCA: true,
      commonName: "loco local CA",
      secretName: localIssuers.ca,
      duration: "87600h",
      privateKey: { algorithm: "ECDSA", size: 256 },
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: localIssuers.selfSigned },
    },
  };
}

/** Pure: the local stack's issuer: the CA above. Trust its certificate (Secret loco-local-ca) on the laptop. */
export function localCaIssuerObject(): IClusterIssuer & { metadata: { name: string } } {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: localIssuers.ca },
    spec: { ca: { secretName: localIssuers.ca } },
  };
}

/** Pure: a certificate for `dnsNames`, its Secret labelled for the resurrector to back up. */
export function certificateObject(
  certificate: Omit<CertificateArgs, "namespace" | "preserved">,
  issuerName: string,
): ICertificate & { metadata: { name: string } } {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: certificate.name },
    spec: {
      secretName: certificate.secretName,
      dnsNames: [...certificate.dnsNames],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: issuerName },
      // ECDSA P-256: small and fast for every TLS handshake. A restored key must be of this kind to be kept.
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      secretTemplate: { labels: { [preservedSecretLabel.key]: preservedSecretLabel.value } },
      revisionHistoryLimit: 3,
    },
  };
}

/** Pure: throws a ResourceError naming the bad field. */
export function validateCertManagerArgs(name: string, args: CertManagerArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`CertManager ${name}: ${field} ${why}`, resource);
  };
  if (!Number.isInteger(args.replicas) || args.replicas < 1) fail("replicas", `must be at least 1, got ${args.replicas}`);
  const secrets = new Set<string>();
  args.certificates.forEach((certificate, i) => {
    if (certificate.dnsNames.length === 0) fail(`certificates[${i}].dnsNames`, "must list at least one name");
    if (secrets.has(certificate.secretName)) fail(`certificates[${i}].secretName`, `"${certificate.secretName}" is used twice`);
    secrets.add(certificate.secretName);
  });
}

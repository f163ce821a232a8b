/**
 * Values more than one layer needs that follow from the settings rather than being set: worked out once, here,
 * when stacks/config.ts assembles the typed config, so every layer reads the same answer instead of repeating the
 * rule (and one day repeating it differently). Pure: settings in, values out.
 */
import { publicCertificate, publicCertificateDnsNames } from "../lib/public-certificate";
import type { CloudSettings, LocalSettings } from "./config-schema";

/** The certificate every public name is served with (lib/public-certificate.ts), with the names it covers here. */
export interface PublicCertificateSpec {
  /** The cert-manager Certificate's name. */
  readonly name: string;
  /** The `kubernetes.io/tls` Secret it fills, which every HTTPS listener of the shared Gateway serves. */
  readonly secretName: string;
  /** Namespace of both: the shared Gateway's. */
  readonly namespace: string;
  /** The apex, `*.{baseDomain}` and `*.{regionName}.{baseDomain}`. */
  readonly dnsNames: readonly string[];
}

/** What every environment derives. */
export interface DerivedValues {
  /** `loco-<stack>`: the name every layer registers under, so every Pulumi name and cloud name of the stack starts with it. */
  readonly environmentName: string;
  /** Protect stateful resources (prod only): `pulumi destroy`, or a change that would replace one, stops instead of deleting. */
  readonly protect: boolean;
  readonly publicCertificate: PublicCertificateSpec;
}

/** What a DigitalOcean environment derives besides. */
export interface CloudDerivedValues extends DerivedValues {
  /** The Cloudflare zone the records and the DNS-01 solver's TXT records go in: `dns.zone`, else the base domain. */
  readonly dnsZone: string;
  /** The public load balancer's DigitalOcean name: `traffic.loadBalancer.name`, else `loco-<stack>-gateway`. */
  readonly loadBalancerName: string;
}

const environmentName = (stack: string) => `loco-${stack}`;

const publicCertificateFor = (settings: Pick<CloudSettings | LocalSettings, "baseDomain" | "regionName">): PublicCertificateSpec => ({
  ...publicCertificate,
  dnsNames: publicCertificateDnsNames(settings.baseDomain, settings.regionName),
});

export function cloudDerivedValues(
  stack: string,
  environment: "dev" | "prod",
  settings: Pick<CloudSettings, "baseDomain" | "regionName"> & {
    readonly dns: Pick<CloudSettings["dns"], "zone">;
    readonly traffic: { readonly loadBalancer: Pick<CloudSettings["traffic"]["loadBalancer"], "name"> };
  },
): CloudDerivedValues {
  return {
    environmentName: environmentName(stack),
    protect: environment === "prod",
    publicCertificate: publicCertificateFor(settings),
    dnsZone: settings.dns.zone ?? settings.baseDomain,
    loadBalancerName: settings.traffic.loadBalancer.name ?? `${environmentName(stack)}-gateway`,
  };
}

export function localDerivedValues(stack: string, settings: Pick<LocalSettings, "baseDomain" | "regionName">): DerivedValues {
  // Nothing on a laptop's cluster is meant to outlive it.
  return { environmentName: environmentName(stack), protect: false, publicCertificate: publicCertificateFor(settings) };
}

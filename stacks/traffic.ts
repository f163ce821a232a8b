/**
 * The traffic layer: every public request enters through it and every app scales through it.
 *
 * - dev/prod: a DigitalOcean load balancer that outlives the cluster ({@link publicEntryPoint}, created with the
 *   foundation so DNS can point at it) is adopted by the gateway's Service; certificates come from Let's Encrypt
 *   through Cloudflare DNS-01.
 * - local: the proxies' LoadBalancer Service gets whatever the local cluster offers (k3d, minikube tunnel,
 *   cloud-provider-kind, or a port-forward); certificates come from a self-signed CA.
 *
 * Everything else (Envoy Gateway, the shared Gateway and its policies, cert-manager, KEDA and its HTTP add-on) is the
 * same on all three.
 */
import type * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { CertManager, type IssuerArgs } from "../components/cert-manager";
import { SharedGateway } from "../components/gateway";
import { Keda } from "../components/keda";
import { adoptionAnnotations, EntryLoadBalancer } from "../components/load-balancer";
import { publicCertificate, publicCertificateDnsNames } from "../lib/public-certificate";
import { gatewayListeners, sharedGateway } from "../lib/shared-gateway";
import type { CloudStackConfig, StackConfig } from "./config";
import type { Foundation } from "./platform";

export interface TrafficLayer {
  /** Stack output `traffic`. */
  readonly outputs: Record<string, unknown>;
  /** Resources a layer passes as `dependsOn` before declaring HTTPRoutes: the Gateway API CRDs and the Gateway. */
  readonly routesReady: pulumi.Resource[];
}

/** The load balancer's name: configured, or derived from the stack. */
const loadBalancerName = (config: CloudStackConfig) => config.traffic.loadBalancer.name ?? `loco-${config.stack}-gateway`;

/**
 * dev/prod: the load balancer that holds the public address, outside the cluster and in its VPC. Created by the
 * foundation because DNS records point at its address.
 */
export function publicEntryPoint(
  config: CloudStackConfig,
  args: { readonly vpcId: pulumi.Input<string>; readonly provider: digitalocean.Provider },
): EntryLoadBalancer {
  const { loadBalancer } = config.traffic;
  return new EntryLoadBalancer(
    `loco-${config.stack}-entry`,
    {
      name: loadBalancerName(config),
      region: config.region,
      vpcId: args.vpcId,
      sizeUnit: loadBalancer.sizeUnit,
      proxyProtocol: loadBalancer.proxyProtocol,
      protect: config.protect,
    },
    { providers: [args.provider] },
  );
}

export function traffic(config: StackConfig, foundation: Foundation): TrafficLayer {
  const providers = [foundation.kubernetes];
  const settings = config.traffic;
  const cloud = config.environment === "local" ? undefined : config;
  if (cloud && (!foundation.publicEntry || !foundation.dnsSolverToken)) {
    throw new Error("traffic: a DigitalOcean environment needs the foundation's public entry point and DNS solver token");
  }
  // Prod runs every add-on controller twice so a node loss or drain never stops issuing, scaling or routing.
  const addOnReplicas = config.environment === "prod" ? 2 : 1;

  const entry = foundation.publicEntry;
  const gateway = new SharedGateway(
    "envoy-gateway",
    {
      names: config.names,
      tlsSecretName: publicCertificate.secretName,
      gatewayApiCrds: settings.gatewayApiCrds,
      http3: settings.http3,
      proxy: settings.proxy,
      service:
        cloud && entry
          ? {
              annotations: entry.loadBalancerId.apply((loadBalancerId) =>
                adoptionAnnotations({ ...cloud.traffic.loadBalancer, loadBalancerId, name: loadBalancerName(cloud) }),
              ),
              proxyProtocol: cloud.traffic.loadBalancer.proxyProtocol,
            }
          : { proxyProtocol: false },
      timeouts: settings.timeouts,
      backendLimits: settings.backendLimits,
      apiRateLimit: settings.apiRateLimit,
    },
    { providers },
  );

  const issuer: IssuerArgs =
    cloud && foundation.dnsSolverToken
      ? {
          kind: "acme",
          use: cloud.traffic.certificates.issuer,
          email: cloud.traffic.certificates.acmeEmail,
          dnsZone: cloud.dns.zone ?? cloud.baseDomain,
          cloudflareApiToken: foundation.dnsSolverToken,
        }
      : { kind: "local-ca" };
  const certManager = new CertManager(
    "cert-manager",
    {
      replicas: addOnReplicas,
      gatewayApiCrds: gateway.crds,
      issuer,
      certificates: [
        {
          name: publicCertificate.name,
          secretName: publicCertificate.secretName,
          namespace: gateway.namespace,
          dnsNames: publicCertificateDnsNames(config.baseDomain, config.regionName),
          preserved: cloud?.credentials.preservedCertificates?.[publicCertificate.secretName],
        },
      ],
    },
    { providers },
  );

  const keda = new Keda(
    "keda",
    {
      replicas: addOnReplicas,
      metricsServer: settings.metricsServer,
      interceptor: { ...settings.interceptor, requestTimeoutSeconds: settings.timeouts.requestSeconds },
    },
    { providers },
  );

  return {
    routesReady: gateway.routesReady,
    outputs: {
      publicAddress: entry?.address,
      loadBalancerId: entry?.loadBalancerId,
      gateway: { ...sharedGateway, listeners: gatewayListeners, proxyService: gateway.proxyService },
      certificates: { issuer: certManager.issuerName, secrets: certManager.certificateSecrets },
      keda: keda.tenantContract,
    },
  };
}

/**
 * The traffic layer: every public request enters through it and every app scales through it.
 *
 * - dev/prod: the gateway's Service adopts the DigitalOcean load balancer the foundation keeps outside the cluster
 *   (stacks/cloud-foundation.ts); certificates come from Let's Encrypt through Cloudflare DNS-01.
 * - local: the proxies' LoadBalancer Service gets whatever the local cluster offers (k3d, minikube tunnel,
 *   cloud-provider-kind, or a port-forward); certificates come from a self-signed CA.
 *
 * Everything else (Envoy Gateway, the shared Gateway and its policies, cert-manager, KEDA and its HTTP add-on) is the
 * same on all three.
 */
import * as pulumi from "@pulumi/pulumi";
import { CertManager, type IssuerArgs } from "../components/cert-manager";
import { SharedGateway, type SharedGatewayArgs } from "../components/gateway";
import { Keda } from "../components/keda";
import { adoptionAnnotations, loadBalancerHostname } from "../components/load-balancer";
import { gatewayListeners, sharedGateway } from "../lib/shared-gateway";
import type { CloudStackConfig, StackConfig } from "./config";
import type { Foundation } from "./foundation";
import type { RotationRun } from "./rotation-state";

export interface TrafficLayerArgs {
  /** The stack's typed config (stacks/config.ts). */
  readonly config: StackConfig;
  /** dev/prod: must carry the public entry point and the DNS solver token. */
  readonly foundation: Foundation;
  /** This run's rotations (stacks/rotation-state.ts): the DNS token's step is recorded once its Secret is updated. */
  readonly rotations: RotationRun;
}

export class TrafficLayer extends pulumi.ComponentResource {
  /** Stack output `traffic`. */
  public readonly outputs: Record<string, unknown>;
  /**
   * Resources a layer passes as `dependsOn` before declaring HTTPRoutes or calling a platform name: the Gateway API
   * CRDs, the Gateway (its listeners Programmed) and the public certificate (Ready).
   */
  public readonly routesReady: readonly pulumi.Resource[];

  constructor(name: string, args: TrafficLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:Traffic", name, {}, opts);
    const { config, foundation } = args;
    const cloud = config.environment === "local" ? undefined : config;
    if (cloud && (!foundation.publicEntry || !foundation.dnsSolverToken)) {
      throw new pulumi.ResourceError(
        `TrafficLayer ${name}: a DigitalOcean environment needs the foundation's public entry point and DNS solver token`,
        this,
      );
    }
    // Prod runs every add-on controller twice so a node loss or drain never stops issuing, scaling or routing.
    const addOnReplicas = config.environment === "prod" ? 2 : 1;

    const gateway = new SharedGateway(
      `${name}-gateway`,
      {
        names: config.names,
        tlsSecretName: config.publicCertificate.secretName,
        gatewayApiCrds: config.traffic.gatewayApiCrds,
        http3: config.traffic.http3,
        proxy: config.traffic.proxy,
        service: proxyService(cloud, foundation),
        timeouts: config.traffic.timeouts,
        backendLimits: config.traffic.backendLimits,
        apiRateLimit: config.traffic.apiRateLimit,
      },
      { parent: this },
    );

    const certificate = config.publicCertificate;
    const certManager = new CertManager(
      `${name}-cert-manager`,
      {
        replicas: addOnReplicas,
        gatewayApiCrds: gateway.crds,
        issuer: issuer(cloud, foundation),
        certificates: [
          {
            name: certificate.name,
            secretName: certificate.secretName,
            namespace: gateway.namespace,
            dnsNames: certificate.dnsNames,
            preserved: cloud?.credentials.preservedCertificates?.[certificate.secretName],
          },
        ],
      },
      { parent: this },
    );

    const keda = new Keda(
      `${name}-keda`,
      {
        replicas: addOnReplicas,
        metricsServer: config.traffic.metricsServer,
        interceptor: { ...config.traffic.interceptor, requestTimeoutSeconds: config.traffic.timeouts.requestSeconds },
      },
      { parent: this },
    );

    // Routes wait for the Gateway, which Pulumi creates once its listeners are Programmed, and for the public
    // certificate being Ready: what calls a platform name during `pulumi up` then finds it served.
    if (cloud) args.rotations.appliedBy("cloudflareDnsToken", certManager.dnsSolverTokenSecrets);
    this.routesReady = [...gateway.routesReady, ...certManager.certificatesReady];
    this.outputs = {
      publicAddress: foundation.publicEntry?.address,
      loadBalancerId: foundation.publicEntry?.loadBalancerId,
      gateway: { ...sharedGateway, listeners: gatewayListeners, proxyService: gateway.proxyService },
      certificates: { issuer: certManager.issuerName, secrets: certManager.certificateSecrets },
      keda: keda.tenantContract,
    };
    this.registerOutputs(this.outputs);
  }
}

/** dev/prod: annotations that make the proxies' Service adopt the foundation's load balancer. local: a plain Service. */
function proxyService(cloud: CloudStackConfig | undefined, foundation: Foundation): SharedGatewayArgs["service"] {
  const entry = foundation.publicEntry;
  if (!cloud || !entry) return { proxyProtocol: false };
  const loadBalancer = cloud.traffic.loadBalancer;
  return {
    annotations: entry.loadBalancerId.apply((loadBalancerId) =>
      adoptionAnnotations({
        ...loadBalancer,
        loadBalancerId,
        name: cloud.loadBalancerName,
        hostname: loadBalancerHostname(cloud.baseDomain),
      }),
    ),
    proxyProtocol: loadBalancer.proxyProtocol,
  };
}

/** dev/prod: Let's Encrypt over Cloudflare DNS-01 with the foundation's scoped token. local: a self-signed CA. */
function issuer(cloud: CloudStackConfig | undefined, foundation: Foundation): IssuerArgs {
  if (!cloud || !foundation.dnsSolverToken) return { kind: "local-ca" };
  return {
    kind: "acme",
    use: cloud.traffic.certificates.issuer,
    email: cloud.traffic.certificates.acmeEmail,
    dnsZone: cloud.dnsZone,
    cloudflareApiToken: foundation.dnsSolverToken,
  };
}

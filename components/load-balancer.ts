/**
 * The public entry point of a DigitalOcean environment: a load balancer that Pulumi owns outside the cluster, in the
 * environment's VPC, and that the gateway's Service adopts through DigitalOcean's cloud controller (CCM).
 *
 * A LoadBalancer Service normally makes the CCM create a load balancer, which dies with the cluster and comes back
 * with a new IP. Created here, the load balancer (and its IP, which DNS points at) outlives any cluster: the gateway
 * Service of a rebuilt cluster names it in `kubernetes.digitalocean.com/load-balancer-id` and the CCM takes it over,
 * provided the new cluster sits in the same VPC. The split of ownership is explicit:
 * - Pulumi owns existence, region, VPC, type, name and size (the name and size are also annotations, from the
 *   same config, so both writers always agree);
 * - the CCM owns everything that depends on the cluster: forwarding rules to node ports, target droplets, health
 *   check. Those are ignored here, or every `pulumi up --refresh` would undo the CCM and the CCM would redo it.
 *
 * Two settings the CCM would otherwise choose are given explicitly on both sides:
 * - the network stack: IPv4 (the CCM sends DUALSTACK for a regional load balancer unless told, while the load
 *   balancer is created IPv4; the cluster and VPC are IPv4, and DNS publishes A records only);
 * - a DNS name for the load balancer (`do-loadbalancer-hostname`): the Service then reports that name instead of the
 *   IP, so kube-proxy does not short-circuit in-cluster traffic to the IP straight to the proxies. Such traffic (nodes
 *   pulling from `registry.{baseDomain}`, cert-manager's HTTP-01 self-check, pods calling `api.{baseDomain}`) goes
 *   through the load balancer and arrives with the PROXY header the listeners require.
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

/** The load balancer's IP family, on the load balancer and in the Service annotation alike. */
export const loadBalancerNetworkStack = "IPV4";

/** Pure: the DNS name of the load balancer itself, an A record to its IP (components/dns.ts). */
export function loadBalancerHostname(baseDomain: string): string {
  return `lb.${baseDomain}`;
}

export interface EntryLoadBalancerArgs {
  /** Load balancer name (DigitalOcean); the Service annotation carries the same one. */
  readonly name: string;
  /** DigitalOcean region slug; the cluster's. */
  readonly region: string;
  /** The environment's VPC: the CCM only adopts a load balancer in its cluster's VPC. */
  readonly vpcId: pulumi.Input<string>;
  /** Load balancer nodes, 1 to 200. */
  readonly sizeUnit: number;
  /** PROXY protocol towards the nodes: the gateway must then accept it (ClientTrafficPolicy). */
  readonly proxyProtocol: boolean;
  /** Protect from deletion and replacement (prod): losing it changes the public address. */
  readonly protect: boolean;
}

/**
 * Load balancer fields the CCM rewrites from the Service on every sync. Pulumi sets none of them after creation:
 * without this, a refresh would record the CCM's values and the next `pulumi up` would revert them.
 */
export const cloudControllerOwnedFields = [
  "forwardingRules",
  "healthcheck",
  "dropletIds",
  "dropletTag",
  "stickySessions",
  "firewall",
  "enableBackendKeepalive",
  "httpIdleTimeoutSeconds",
  "redirectHttpToHttps",
  "disableLetsEncryptDnsRecords",
] as const;

export class EntryLoadBalancer extends pulumi.ComponentResource {
  public readonly loadBalancerId: pulumi.Output<string>;
  /** The public IPv4 address every DNS name points at. */
  public readonly address: pulumi.Output<string>;

  constructor(name: string, args: EntryLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:traffic:EntryLoadBalancer", name, {}, opts);
    validateEntryLoadBalancerArgs(name, args, this);

    const loadBalancer = new digitalocean.LoadBalancer(`${name}-lb`, loadBalancerInputs(args), {
      parent: this,
      // Protected in prod: deleting it changes the public address every DNS record and client points at.
      protect: args.protect,
      // The CCM owns these once the gateway Service adopts the load balancer (see cloudControllerOwnedFields).
      ignoreChanges: [...cloudControllerOwnedFields],
    });

    this.loadBalancerId = loadBalancer.id;
    this.address = loadBalancer.ip;
    this.registerOutputs({ loadBalancerId: this.loadBalancerId, address: this.address });
  }
}

/**
 * Pure: the load balancer as Pulumi creates it. DigitalOcean requires one forwarding rule at creation; this
 * placeholder (TCP 443 to 443, no targets) carries no traffic and is replaced by the CCM's rules on adoption.
 */
export function loadBalancerInputs(args: EntryLoadBalancerArgs): digitalocean.LoadBalancerArgs {
  return {
    name: args.name,
    region: args.region,
    vpcUuid: args.vpcId,
    type: "REGIONAL",
    networkStack: loadBalancerNetworkStack,
    sizeUnit: args.sizeUnit,
    enableProxyProtocol: args.proxyProtocol,
    forwardingRules: [{ entryProtocol: "tcp", entryPort: 443, targetProtocol: "tcp", targetPort: 443 }],
  };
}

export interface AdoptionAnnotationArgs {
  /** The id of the load balancer to adopt (EntryLoadBalancer `loadBalancerId`). */
  readonly loadBalancerId: string;
  /** Its name: the same as EntryLoadBalancerArgs `name`, so the CCM and Pulumi never rename it back and forth. */
  readonly name: string;
  /** The load balancer's DNS name ({@link loadBalancerHostname}): what the Service reports instead of the IP. */
  readonly hostname: string;
  /** Its size: the same as EntryLoadBalancerArgs `sizeUnit`. */
  readonly sizeUnit: number;
  /** Whether it sends PROXY protocol: the same as EntryLoadBalancerArgs `proxyProtocol`. */
  readonly proxyProtocol: boolean;
  /** Stop this cluster's CCM from updating or deleting the load balancer (handover to a new cluster). */
  readonly disown: boolean;
}

/**
 * Pure: the gateway Service's annotations that adopt the load balancer. TCP passthrough (`tcp`): TLS, HTTP/2 and
 * HTTP/3 terminate in Envoy with cert-manager's certificate, so the load balancer's own TLS, HTTP idle timeout and
 * `http3-port` (which need a DigitalOcean-managed certificate) do not apply. Values are strings, as the CCM
 * requires. The CCM writes the id and the type back onto the Service itself; giving both the values it would write
 * keeps it and Envoy Gateway (which reconciles the Service from the EnvoyProxy) from rewriting each other.
 */
export function adoptionAnnotations(args: AdoptionAnnotationArgs): Record<string, string> {
  const prefix = "service.beta.kubernetes.io/do-loadbalancer-";
  return {
    "kubernetes.digitalocean.com/load-balancer-id": args.loadBalancerId,
    [`${prefix}name`]: args.name,
    [`${prefix}type`]: "REGIONAL",
    [`${prefix}network-stack`]: loadBalancerNetworkStack,
    [`${prefix}hostname`]: args.hostname,
    [`${prefix}protocol`]: "tcp",
    [`${prefix}size-unit`]: String(args.sizeUnit),
    [`${prefix}enable-proxy-protocol`]: String(args.proxyProtocol),
    "service.kubernetes.io/do-loadbalancer-disown": String(args.disown),
  };
}

/** Pure: throws a ResourceError naming the bad field. Config validation catches these first. */
export function validateEntryLoadBalancerArgs(name: string, args: EntryLoadBalancerArgs, resource?: pulumi.Resource): void {
  if (!Number.isInteger(args.sizeUnit) || args.sizeUnit < 1 || args.sizeUnit > 200) {
    throw new pulumi.ResourceError(`EntryLoadBalancer ${name}: sizeUnit must be an integer from 1 to 200, got ${args.sizeUnit}`, resource);
  }
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(args.name) || args.name.length > 255) {
    throw new pulumi.ResourceError(`EntryLoadBalancer ${name}: name "${args.name}" is not a valid load balancer name`, resource);
  }
}

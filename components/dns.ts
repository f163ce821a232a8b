/**
 * Public DNS on Cloudflare: the platform's names and the tenant wildcards pointing at the public entry address,
 * and an API token that can edit DNS on this one zone (cert-manager's DNS-01 solver uses it).
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { platformHosts, type PublicNames } from "../lib/public-names";
import { rotationTrigger, type RotationPolicy } from "./secrets";

/** The TTL has no default here: each stack states it (stacks/config-defaults.ts). */
export interface DnsArgs {
  /** The Cloudflare zone (looked up by name): the base domain or one of its parents. */
  readonly zone: string;
  /** The platform's public names. */
  readonly names: PublicNames;
  /** IPv4 address every name points at: the public entry point (the gateway's load balancer). */
  readonly publicAddress: pulumi.Input<string>;
  /**
   * The load balancer's own DNS name, which its Service reports instead of the IP (components/load-balancer.ts); it
   * gets an A record to `publicAddress` like the public names.
   */
  readonly loadBalancerHostname: string;
  /** Record TTL in seconds; 1 is Cloudflare's automatic TTL. */
  readonly ttl: number;
  /** Rotation of the scoped DNS token. */
  readonly tokenRotation: RotationPolicy;
  /** Who manages the records, written into each record's comment. */
  readonly managedBy: string;
}

/** A record this component manages, by role. */
export interface DnsRecordSpec {
  readonly role: string;
  readonly hostname: string;
}

/** Cloudflare's permission groups for cert-manager's DNS-01 solver (names as the API spells them). */
export const dnsSolverPermissionGroups = ["DNS Write", "Zone Read"] as const;
const zoneScope = "com.cloudflare.api.account.zone";

export class Dns extends pulumi.ComponentResource {
  public readonly zoneId: pulumi.Output<string>;
  /** Hostnames with records, by role. */
  public readonly hostnames: Record<string, string>;
  /** Token limited to DNS edit and zone read on this zone. Secret. */
  public readonly dnsSolverToken: pulumi.Output<string>;

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:dns:Dns", name, {}, opts);

    const zone = cloudflare.getZoneOutput({ filter: { name: args.zone } }, { parent: this });
    const zoneId = zone.apply((z) => {
      if (!z.id)
        throw new Error(`Cloudflare zone "${args.zone}" was not found for this API token: check loco:dns.zone and the token's zone access`);
      return z.id;
    });

    const specs = [...recordSpecs(args.names), { role: "load-balancer", hostname: args.loadBalancerHostname }];
    for (const spec of specs) {
      new cloudflare.DnsRecord(
        `${name}-${spec.role}`,
        {
          zoneId,
          name: spec.hostname,
          type: "A",
          content: args.publicAddress,
          ttl: args.ttl,
          // Not proxied: Cloudflare's proxy would terminate TLS and HTTP/3 in front of the gateway, and its
          // free plan does not cover multi-level wildcards such as *.{region}.{baseDomain}.
          proxied: false,
          comment: `managed by ${args.managedBy}`,
        },
        { parent: this },
      );
    }

    const permissionGroupIds = dnsSolverPermissionGroups.map((group) =>
      cloudflare
        .getApiTokenPermissionGroupsListOutput({ name: encodeURIComponent(group), scope: zoneScope }, { parent: this })
        .apply((list) => {
          const match = list.results.find((r) => r.name === group);
          if (!match)
            throw new Error(`Cloudflare permission group "${group}" (scope ${zoneScope}) was not found: Cloudflare may have renamed it`);
          return match.id;
        }),
    );

    const rotation = rotationTrigger(`${name}-dns-solver-token`, args.tokenRotation, this);
    const token = new cloudflare.ApiToken(
      `${name}-dns-solver-token`,
      {
        name: `${args.managedBy} dns-01 solver (${args.zone})`,
        policies: [
          {
            effect: "allow",
            permissionGroups: permissionGroupIds.map((id) => ({ id })),
            resources: zoneId.apply(scopedToZone),
          },
        ],
      },
      // A new token is minted (and the old one deleted after) when the rotation policy says so.
      { parent: this, replacementTrigger: rotation.value },
    );

    this.zoneId = zoneId;
    this.hostnames = Object.fromEntries(specs.map((s) => [s.role, s.hostname]));
    this.dnsSolverToken = pulumi.secret(token.value);
    this.registerOutputs({ zoneId: this.zoneId, hostnames: this.hostnames, dnsSolverToken: this.dnsSolverToken });
  }
}

/** Pure: the records, by role. The platform's own names first, then the tenant wildcards. */
export function recordSpecs(names: PublicNames): DnsRecordSpec[] {
  return [
    ...platformHosts(names),
    { role: "tenant-wildcard", hostname: names.tenantWildcard },
    { role: "region-wildcard", hostname: names.regionWildcard },
  ];
}

/** Pure: a token policy's `resources`, which provider v6 takes as a JSON string (not a map). */
export function scopedToZone(zoneId: string): string {
  return JSON.stringify({ [`${zoneScope}.${zoneId}`]: "*" });
}

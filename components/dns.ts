/**
 * Public DNS on Cloudflare: the platform's names and the tenant wildcards pointing at the public entry address,
 * and an API token that can edit DNS on this one zone (cert-manager's DNS-01 solver uses it).
 *
 * The token rotates two valid at once (components/two-slot-rotation.ts): one token per slot, the solver gets the active
 * one, and the other stays valid until the rotation retires it after the overlap.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { platformHosts, type PublicNames } from "../lib/public-names";
import { existingSlots, type Slot, type TwoSlotState } from "./two-slot-rotation";

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
  /**
   * The scoped DNS token's slots this run: `twoSlotRotation("cloudflareDnsToken").next` (stacks/rotation-state.ts).
   * One token per slot; the solver gets the active one.
   */
  readonly tokenSlots: TwoSlotState;
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
  /** The active slot's token, limited to DNS edit and zone read on this zone. Secret. */
  public readonly dnsSolverToken: pulumi.Output<string>;
  /** Every token that exists this run, one per slot: what a rotation step creates or deletes. */
  public readonly solverTokens: readonly cloudflare.ApiToken[];

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

    const tokens = new Map<Slot, cloudflare.ApiToken>();
    for (const { slot, credential } of existingSlots(args.tokenSlots)) {
      tokens.set(
        slot,
        new cloudflare.ApiToken(
          `${name}-dns-solver-token-${slot}`,
          {
            name: `${args.managedBy} dns-01 solver (${args.zone}) g${credential.generation}`,
            policies: [
              {
                effect: "allow",
                permissionGroups: permissionGroupIds.map((id) => ({ id })),
                resources: zoneId.apply(scopedToZone),
              },
            ],
          },
          // Slot a takes over the token declared before tokens had slots, so the first two-slot run keeps it.
          { parent: this, aliases: slot === "a" ? [{ name: `${name}-dns-solver-token` }] : [] },
        ),
      );
    }
    const active = tokens.get(args.tokenSlots.active) as cloudflare.ApiToken;

    this.zoneId = zoneId;
    this.hostnames = Object.fromEntries(specs.map((s) => [s.role, s.hostname]));
    this.dnsSolverToken = pulumi.secret(active.value);
    this.solverTokens = [...tokens.values()];
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

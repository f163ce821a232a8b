/**
 * Harbor configured for tenant images, as typed Harbor resources (registry/harbor-resources.ts):
 *
 * - a private project with scan-on-push, pulls refused at a vulnerability severity, a storage quota and a CVE
 *   allowlist;
 * - a daily retention policy (keep the latest N pushed per repository, and what was pushed within D days; never
 *   anything untagged), a daily garbage collection after it (harbor #17230), and a daily rescan of everything;
 * - an immutability rule for hash-prefixed tags (enforced or not: Harbor's retention cannot delete immutable tags);
 * - two project robots, the only credentials that reach the project: the builder (push and pull) for loco's build
 *   infrastructure, and the cluster's (pull only) for the imagePullSecret. Both expire, and rotate two valid at once
 *   (components/two-slot-rotation.ts): a robot per slot, named by its generation; consumers get the active slot's
 *   robot, and the other one is deleted only when the rotation retires it, after the overlap.
 *
 * The admin password is managed too (registry/harbor-admin-password.ts), and every other resource takes its
 * credentials from it.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseClockTime } from "../lib/clock-time";
import { dockerConfigJson, registryPullSecretName } from "../lib/registry-pull-secret";
import type { Severity } from "../registry/harbor-project";
import {
  HarborAdminPassword,
  HarborGarbageCollection,
  HarborImmutableTagRule,
  HarborProject,
  HarborRetentionPolicy,
  HarborRobotAccount,
  HarborVulnerabilityScanning,
} from "../registry/harbor-resources";
import type { RetentionRule } from "../registry/harbor-retention";
import type { RobotPermission } from "../registry/harbor-robot-account";
import { existingSlots, type Slot, type TwoSlotState } from "./two-slot-rotation";

/** The lifecycle rules, schedules and quotas have no default here: each stack states them (stacks/config-defaults.ts). */
export interface TenantRegistryArgs {
  /** Where `pulumi up` reaches Harbor's API, e.g. https://registry.example.com. */
  readonly apiUrl: string;
  /** The registry host in image references and in the pull secret, e.g. registry.example.com. */
  readonly registryHost: string;
  /** The username of Harbor's administrator. */
  readonly adminUser: string;
  /** The administrator's password (secret); a new value is applied inside Harbor. */
  readonly adminPassword: pulumi.Output<string>;
  /** What must be in place before Harbor's API answers (its release and route). */
  readonly harborReady: readonly pulumi.Resource[];
  /** The one private project tenant images live in. */
  readonly project: {
    /** Project name: the path segment after the registry host in every image reference. */
    readonly name: string;
    /** Most storage the project may use, in GiB (at least 1); pushes beyond it are refused. */
    readonly storageQuotaGiB: number;
    /** Pulls of an image with a vulnerability at or above this severity are refused. */
    readonly blockPullsAtSeverity: Severity;
    /** CVE ids that never block a pull. */
    readonly cveAllowlist: readonly string[];
  };
  /** What the daily retention run keeps per repository; everything else tagged, and everything untagged, goes. */
  readonly retention: {
    /** Keep this many most recently pushed artifacts. */
    readonly keepLatestPushed: number;
    /** Also keep what was pushed within this many days; null keeps nothing for its age. */
    readonly keepPushedWithinDays: number | null;
    /** When the run starts, HH:MM UTC. */
    readonly runAt: string;
  };
  /** The daily garbage collection that frees the blobs retention released; run it after retention. */
  readonly garbageCollection: {
    /** When it starts, HH:MM UTC. */
    readonly runAt: string;
    /** Parallel deletion workers (Harbor allows 1 to 5). */
    readonly workers: number;
  };
  /** Daily rescan of every artifact, HH:MM UTC. */
  readonly rescanAt: string;
  /** Tags no push may overwrite (and retention therefore never deletes). */
  readonly immutableTags: {
    /** Tag pattern, in Harbor's doublestar syntax. */
    readonly pattern: string;
    /** Enforce the rule; off keeps it declared but inactive. */
    readonly enforced: boolean;
  };
  /** The two robot accounts. */
  readonly robots: {
    /** Days a robot's credentials work (at least 1); rotation replaces them before that. */
    readonly expiryDays: number;
    /**
     * The builder robot's slots this run (push and pull): `twoSlotRotation("registryBuilderRobot").next`
     * (stacks/rotation-state.ts). One robot per slot; consumers get the active one.
     */
    readonly builder: TwoSlotState;
    /** The cluster's pull-only robot's slots this run: `twoSlotRotation("registryPullRobot").next`. */
    readonly pull: TwoSlotState;
  };
  /** Protect the project (prod): deleting it would take every tenant image with it. */
  readonly protect: boolean;
}

/** Credentials a client logs in to the registry with. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  /** Unix seconds when they stop working; -1 never. */
  readonly expiresAt: number;
}

/** Pure: "HH:MM" UTC as the 6-field cron Harbor's scheduler takes (seconds first). */
export function dailyCron(clock: string): string {
  const time = parseClockTime(clock);
  if (!time) throw new Error(`"${clock}" is not an HH:MM time of day`);
  return `0 ${time.minutes} ${time.hours} * * *`;
}

/** Pure: the retention rules; none of them retains untagged artifacts, so every run deletes those. */
export function retentionRules(retention: TenantRegistryArgs["retention"]): RetentionRule[] {
  const rule = (retain: RetentionRule["retain"]): RetentionRule => ({ retain, repositories: "**", tags: "**", untaggedArtifacts: false });
  return [
    rule({ mostRecentlyPushed: retention.keepLatestPushed }),
    ...(retention.keepPushedWithinDays === null ? [] : [rule({ pushedWithinDays: retention.keepPushedWithinDays })]),
  ];
}

/** Pure: a robot's name in Harbor, unique per generation, so a new robot never collides with the one it replaces. */
export function robotName(role: "builder" | "pull", generation: number): string {
  return `${role === "builder" ? "builder" : "cluster-pull"}-g${generation}`;
}

/** Pure: what each robot may do, on the one project and nothing else. */
export function robotPermissions(project: string, role: "builder" | "pull"): RobotPermission[] {
  const actions = role === "builder" ? ["push", "pull"] : ["pull"];
  return [{ kind: "project", namespace: project, access: actions.map((action) => ({ resource: "repository", action })) }];
}

export class TenantRegistry extends pulumi.ComponentResource {
  /** Where images go: `<registryHost>/<project>`. */
  public readonly repositoryPrefix: string;
  /** Push and pull, for loco's build infrastructure. Secret. */
  public readonly builder: pulumi.Output<RegistryCredentials>;
  /** Pull only, for the cluster. Secret. */
  public readonly puller: pulumi.Output<RegistryCredentials>;
  /** The `.dockerconfigjson` of the tenant pull secret (`registryPullSecretName`). Secret. */
  public readonly pullSecretDockerConfigJson: pulumi.Output<string>;
  /** Harbor URL and admin credentials as Harbor accepts them now. Secret. */
  public readonly connection: pulumi.Output<{ url: string; username: string; password: string }>;
  /** The robot accounts of each role, one per existing slot: what a rotation step creates or deletes. */
  public readonly robotAccounts: Readonly<Record<"builder" | "pull", readonly HarborRobotAccount[]>>;

  constructor(name: string, args: TenantRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:registry:TenantRegistry", name, {}, opts);
    validateTenantRegistryArgs(name, args, this);
    const child = { parent: this };

    const admin = new HarborAdminPassword(
      `${name}-admin-password`,
      {
        connection: pulumi.output({ url: args.apiUrl, username: args.adminUser, password: args.adminPassword }),
        password: args.adminPassword,
      },
      // Harbor's API answers only once the release is up and the Gateway routes to it.
      { parent: this, dependsOn: [...args.harborReady] },
    );
    const connection = admin.connection;

    const project = new HarborProject(
      `${name}-project`,
      {
        connection,
        name: args.project.name,
        public: false,
        vulnerabilityScanning: true,
        deploymentSecurity: args.project.blockPullsAtSeverity,
        storageQuotaBytes: args.project.storageQuotaGiB * 2 ** 30,
        cveAllowlist: [...args.project.cveAllowlist],
      },
      // Protected in prod: renaming (a replacement) or destroying the tenants' project must be deliberate; Harbor on
      // its own only refuses while the project still holds images.
      { ...child, protect: args.protect },
    );

    new HarborRetentionPolicy(
      `${name}-retention`,
      { connection, projectId: project.projectId, schedule: dailyCron(args.retention.runAt), rules: retentionRules(args.retention) },
      child,
    );
    new HarborImmutableTagRule(
      `${name}-immutable-tags`,
      {
        connection,
        projectId: project.projectId,
        repositoryPattern: "**",
        tagPattern: args.immutableTags.pattern,
        disabled: !args.immutableTags.enforced,
      },
      child,
    );
    new HarborGarbageCollection(
      `${name}-garbage-collection`,
      { connection, schedule: dailyCron(args.garbageCollection.runAt), deleteUntagged: true, workers: args.garbageCollection.workers },
      child,
    );
    new HarborVulnerabilityScanning(
      `${name}-vulnerability-scanning`,
      { connection, defaultScanner: "Trivy", scanAllSchedule: dailyCron(args.rescanAt) },
      child,
    );

    const robots = (role: "builder" | "pull", state: TwoSlotState, what: string) => {
      const accounts = new Map<Slot, HarborRobotAccount>();
      for (const { slot, credential } of existingSlots(state)) {
        accounts.set(
          slot,
          new HarborRobotAccount(
            `${name}-${role}-robot-${slot}`,
            {
              connection,
              name: robotName(role, credential.generation),
              description: `${what}; generation ${credential.generation}; managed by loco-platform`,
              level: "project",
              durationDays: args.robots.expiryDays,
              disabled: false,
              permissions: robotPermissions(args.project.name, role),
            },
            // The robot's project must exist first; its name is plain config, so say so. Slot a takes over the robot
            // declared before robots had slots, so the first two-slot run does not replace it needlessly.
            { parent: this, dependsOn: [project], aliases: slot === "a" ? [{ name: `${name}-${role}-robot` }] : [] },
          ),
        );
      }
      const active = accounts.get(state.active) as HarborRobotAccount;
      const credentials = pulumi.secret(
        pulumi
          .all([active.fullName, active.secret, active.expiresAt])
          .apply(([username, password, expiresAt]) => ({ username, password, expiresAt })),
      );
      return { credentials, accounts: [...accounts.values()] };
    };
    const builder = robots("builder", args.robots.builder, "pushes and pulls tenant images (loco's build infrastructure)");
    const puller = robots("pull", args.robots.pull, "pulls tenant images (the cluster's imagePullSecret)");
    this.builder = builder.credentials;
    this.puller = puller.credentials;
    this.robotAccounts = { builder: builder.accounts, pull: puller.accounts };
    this.pullSecretDockerConfigJson = pulumi.secret(this.puller.apply((c) => dockerConfigJson(args.registryHost, c.username, c.password)));
    this.repositoryPrefix = `${args.registryHost}/${args.project.name}`;
    this.connection = connection;
    this.registerOutputs({ repositoryPrefix: this.repositoryPrefix, pullSecretName: registryPullSecretName });
  }
}

/** Pure: throws a ResourceError naming the first bad field. */
export function validateTenantRegistryArgs(name: string, args: TenantRegistryArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`TenantRegistry ${name}: ${field} ${why}`, resource);
  };
  for (const [field, clock] of [
    ["retention.runAt", args.retention.runAt],
    ["garbageCollection.runAt", args.garbageCollection.runAt],
    ["rescanAt", args.rescanAt],
  ] as const) {
    if (!parseClockTime(clock)) fail(field, `must be HH:MM (UTC), got "${clock}"`);
  }
  if (!Number.isInteger(args.robots.expiryDays) || args.robots.expiryDays < 1)
    fail("robots.expiryDays", `must be a positive integer, got ${args.robots.expiryDays}`);
  if (!Number.isInteger(args.project.storageQuotaGiB) || args.project.storageQuotaGiB < 1) {
    fail("project.storageQuotaGiB", `must be a positive integer, got ${args.project.storageQuotaGiB}`);
  }
}

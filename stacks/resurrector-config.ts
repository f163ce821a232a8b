/**
 * Config of a resurrector stack (`resurrector-<env>`): the resurrector deployed on App Platform, outside the
 * cluster it guards. Its settings live under `loco:resurrector` and its secrets under their own `loco:` keys;
 * the platform's keys (cluster, traffic, ...) do not apply here and are refused, as the platform refuses these.
 *
 * Like stacks/config.ts, invalid config throws a {@link ConfigError} listing every problem with its key, its value
 * (never for secrets), what is allowed and the file to fix, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { postgresUrlProblem } from "../lib/database-connection";
import { closest } from "../lib/did-you-mean";
import { configNamespace, ConfigError, formatKey } from "./config";
import { issueToProblems } from "./config-issues";
import type { ConfigProblem } from "./config-rules";

/** Stacks named `resurrector-<anything>` run the resurrector program instead of the platform. */
export const resurrectorStackPrefix = "resurrector-";

export const isResurrectorStack = (stack: string): boolean => stack.startsWith(resurrectorStackPrefix);

const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lowercase DNS name such as loco.example.com");

/** App Platform instance sizes priced in data/digitalocean-catalog.json (`appPlatformSizes`). */
export const appInstanceSizes = ["apps-s-1vcpu-0.5gb", "apps-s-1vcpu-1gb", "apps-s-1vcpu-2gb", "apps-s-2vcpu-4gb"] as const;

export const resurrectorSettingsSchema = z
  .strictObject({
    guards: z.enum(["dev", "prod"]).describe("The platform environment (stack) this resurrector watches and rebuilds."),
    region: z
      .string()
      .regex(/^[a-z]{3}\d$/, "must be a DigitalOcean region slug such as nyc3")
      .describe("App Platform region: the guarded database's region (loco:region of the platform stack)."),
    baseDomain: domain.describe("The guarded environment's base domain; the status page is status.<baseDomain>."),
    dnsZone: domain.optional().describe("Cloudflare zone holding status.<baseDomain>: the base domain (default) or a parent."),
    database: z
      .strictObject({
        clusterId: z.string().min(1).describe("The guarded managed PostgreSQL cluster's id (platform stack output)."),
        host: domain.describe("Its public host name (the app is not in the VPC; TLS and the firewall's app rule protect it)."),
        port: z.number().int().min(1).max(65535).default(25060),
        name: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase SQL identifier")
          .default("loco"),
      })
      .describe("The guarded environment's database of record."),
    image: z
      .strictObject({
        registryType: z.enum(["DOCR", "GHCR", "DOCKER_HUB"]),
        registry: z.string().min(1).optional(),
        repository: z.string().min(1),
        tag: z
          .string()
          .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a Docker tag")
          .refine((tag) => tag !== "latest", "must be an exact version: `latest` would deploy whatever was pushed last")
          .optional(),
        digest: z
          .string()
          .regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits> (the digest resurrector-image.yml prints)")
          .optional(),
      })
      .refine(
        (image) => image.tag !== undefined || image.digest !== undefined,
        "needs a tag or a digest (the digest wins when both are set)",
      )
      .describe("Where the image built from docker/resurrector/Dockerfile is pushed."),
    instanceSize: z.enum(appInstanceSizes).default("apps-s-1vcpu-1gb"),
    watch: z
      .strictObject({
        intervalSeconds: z.number().int().min(5).max(3600).default(30).describe("Seconds between two probes of the cluster."),
        downProbes: z.number().int().min(1).max(1000).default(5).describe("Consecutive down probes before the cluster is down (N)."),
        downMinutes: z.number().int().min(0).max(1440).default(5).describe("Minutes those probes must span at least (M)."),
        act: z
          .boolean()
          .default(false)
          .describe(
            "Let a rebuild decision change things (--act and LOCO_RESURRECTOR_ACT=true); false: a dry run that records and notifies.",
          ),
      })
      .prefault({})
      .describe("How the worker's `resurrector watch` decides (docs/resurrector.md: Watch)."),
  })
  .describe("The resurrector stack's settings.");

export type ResurrectorSettings = z.infer<typeof resurrectorSettingsSchema>;

/** Secrets of a resurrector stack and what each is for (docs/resurrector-stack.md says how each is rotated). */
export const resurrectorSecretDescriptions = {
  digitaloceanToken: "DigitalOcean API token: deploys this app and lets the converger rebuild the guarded environment",
  cloudflareApiToken: "Cloudflare API token with DNS edit on the zone of status.<baseDomain>",
  databaseAdminUrl: "the guarded PostgreSQL's doadmin URL, used only by the pre-deploy grant job",
  resurrectorKey: "LOCO_RESURRECTOR_KEY, the master key of the resurrector's sealed records",
  pulumiAccessToken: "the Pulumi state backend's token, for the converger's `pulumi up`",
  statusWebhookSecret: "the shared secret Grafana's alert webhook presents to the status page",
} as const;
export const resurrectorOptionalSecretDescriptions = {
  alertWebhookUrl: "where the resurrector posts its own alerts (an https:// URL that may embed a token)",
} as const;

type RequiredSecret = keyof typeof resurrectorSecretDescriptions;
type OptionalSecret = keyof typeof resurrectorOptionalSecretDescriptions;

export interface ResurrectorStackConfig extends ResurrectorSettings {
  readonly stack: string;
  readonly file: string;
  /** The status page's public host. */
  readonly statusHost: string;
  readonly tags: string[];
  readonly secrets: Readonly<Record<RequiredSecret, pulumi.Output<string>>> & Partial<Record<OptionalSecret, pulumi.Output<string>>>;
}

export interface RawResurrectorConfig {
  readonly stack: string;
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
}

const settingsKey = "resurrector";
const requiredSecrets = Object.keys(resurrectorSecretDescriptions) as RequiredSecret[];
const optionalSecrets = Object.keys(resurrectorOptionalSecretDescriptions) as OptionalSecret[];
const knownKeys = [settingsKey, ...requiredSecrets, ...optionalSecrets].sort();
const engineNamespace = "pulumi";

/** Pure: validates a resurrector stack's raw config, or throws a {@link ConfigError} listing every problem. */
export function parseResurrectorConfig(raw: RawResurrectorConfig): ResurrectorStackConfig {
  const file = `Pulumi.${raw.stack}.yaml`;
  const problems: ConfigProblem[] = [];
  const secrets: Record<string, string> = {};
  let settings: unknown;
  for (const [fullKey, value] of Object.entries(raw.values).sort(([a], [b]) => a.localeCompare(b))) {
    const separator = fullKey.indexOf(":");
    const namespace = separator < 0 ? "" : fullKey.slice(0, separator);
    const key = fullKey.slice(separator + 1);
    if (namespace === engineNamespace) continue;
    if (namespace !== configNamespace) {
      problems.push({ path: [], hasValue: false, message: `${fullKey} is not read by the resurrector program: remove it` });
    } else if (key === settingsKey) {
      try {
        settings = JSON.parse(value);
      } catch {
        problems.push({ path: [key], hasValue: false, message: "must be a map of settings (see docs/resurrector-stack.md)" });
      }
    } else if ((requiredSecrets as string[]).includes(key) || (optionalSecrets as string[]).includes(key)) {
      secrets[key] = value;
      if (!raw.secretKeys.has(fullKey))
        problems.push({ path: [key], hasValue: false, message: `is stored in plaintext: set it again with \`${setSecret(key)}\`` });
    } else {
      // The value is never shown: a key this program does not read may be a secret under a mistyped name.
      const suggestion = closest(key.split(".")[0], knownKeys);
      const why = suggestion
        ? `did you mean "${configNamespace}:${suggestion}"?`
        : "a platform key does not apply to a resurrector stack (it configures the guarded environment's own stack)";
      problems.push({ path: [key], hasValue: false, message: `is not read by the resurrector program: ${why}` });
    }
  }
  for (const key of requiredSecrets.filter((k) => !secrets[k])) {
    problems.push({
      path: [key],
      hasValue: false,
      message: `is required (${resurrectorSecretDescriptions[key]}): run \`${setSecret(key)}\``,
    });
  }
  if (secrets.databaseAdminUrl) {
    const problem = postgresUrlProblem(secrets.databaseAdminUrl);
    if (problem) problems.push({ path: ["databaseAdminUrl"], hasValue: false, message: problem });
  }
  if (secrets.alertWebhookUrl !== undefined && !/^https:\/\/[^\s/]+/.test(secrets.alertWebhookUrl)) {
    problems.push({ path: ["alertWebhookUrl"], hasValue: false, message: "must be an https:// URL (value hidden: it is a secret)" });
  }

  const parsed =
    settings === undefined && !problems.some((p) => p.path[0] === settingsKey)
      ? undefined
      : resurrectorSettingsSchema.safeParse(settings, { reportInput: true });
  if (parsed === undefined) problems.push({ path: [settingsKey], hasValue: false, message: "is required (see docs/resurrector-stack.md)" });
  else if (!parsed.success && settings !== undefined) {
    problems.push(
      ...parsed.error.issues.flatMap((issue) =>
        issueToProblems(issue, resurrectorSettingsSchema).map((p) => ({ ...p, path: [settingsKey, ...p.path] })),
      ),
    );
  }
  const expectedStack = parsed?.success ? `${resurrectorStackPrefix}${parsed.data.guards}` : undefined;
  if (expectedStack !== undefined && expectedStack !== raw.stack) {
    problems.push({
      path: [settingsKey, "guards"],
      value: parsed?.data?.guards,
      hasValue: true,
      message: `does not match the stack's name: a resurrector guarding it is the stack ${expectedStack}`,
    });
  }
  if (problems.length > 0 || !parsed?.success)
    throw new ConfigError(
      file,
      problems.map((p) => formatProblem(file, p)),
    );

  const data = parsed.data;
  return {
    ...data,
    stack: raw.stack,
    file,
    statusHost: `status.${data.baseDomain}`,
    tags: ["loco", `loco-${raw.stack}`],
    secrets: Object.fromEntries(
      Object.entries(secrets).map(([key, value]) => [key, pulumi.secret(value)]),
    ) as ResurrectorStackConfig["secrets"],
  };
}

/** Reads the running stack's config through the Pulumi runtime and validates it. */
export function loadResurrectorConfig(): ResurrectorStackConfig {
  const values = pulumi.runtime.allConfig();
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
  const secret = new Set(Object.keys(values).filter((key) => runtimeConfig.isConfigSecret?.(key) ?? true));
  return parseResurrectorConfig({ stack: pulumi.getStack(), values, secretKeys: secret });
}

const setSecret = (key: string) => `pulumi config set --secret ${configNamespace}:${key} <value>`;

function formatProblem(file: string, problem: ConfigProblem): string {
  if (problem.path.length === 0) return `${file}: ${problem.message}`;
  const shown = problem.hasValue ? ` = ${JSON.stringify(problem.value)}` : "";
  return `${file}: ${formatKey(problem.path)}${shown}: ${problem.message}`;
}

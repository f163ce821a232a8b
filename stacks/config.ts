/**
 * The one place that reads stack config. Everything under the `loco:` namespace of Pulumi.<stack>.yaml is
 * merged onto the environment's defaults, validated, and returned as one typed object; components receive
 * slices of it as typed args and never read config themselves.
 *
 * Invalid config throws a {@link ConfigError} before any resource is registered, listing every problem with
 * its key, its value (never for secrets), what is allowed, and the file to fix.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { postgresUrlProblem } from "../lib/database-connection";
import { parsePreservedCertificates, type PreservedCertificate } from "../lib/public-certificate";
import { publicNames, type PublicNames, type WebAppHost } from "../lib/public-names";
import { deepMerge } from "../lib/deep-merge";
import { closest } from "../lib/did-you-mean";
import { configDefaults } from "./config-defaults";
import { cloudDerivedValues, localDerivedValues, type CloudDerivedValues, type DerivedValues } from "./config-derived";
import { issueToProblems } from "./config-issues";
import { crossFieldProblems, type ConfigProblem } from "./config-rules";
import {
  cloudConfigSchema,
  environments,
  localConfigSchema,
  optionalSecretKeys,
  secretDescriptions,
  secretKeys,
  type CloudSettings,
  type Environment,
  type LocalSettings,
} from "./config-schema";

export const configNamespace = "loco";

/** Packages whose default providers are disabled (Pulumi.yaml): their own config keys would be silently ignored. */
const disabledProviderNamespaces = ["kubernetes", "digitalocean", "cloudflare"];

/** The engine's own settings (`pulumi:disable-default-providers` in Pulumi.yaml): read by Pulumi, not by the program. */
const engineNamespace = "pulumi";

/** Every top-level `loco:` key some environment reads: what a key in a foreign namespace is compared against. */
const knownTopLevelKeys = [
  ...new Set([
    ...Object.keys(cloudConfigSchema.shape),
    ...Object.keys(localConfigSchema.shape),
    ...Object.values(secretKeys).flat(),
    ...Object.values(optionalSecretKeys).flat(),
  ]),
].sort();

interface StackIdentity {
  /** Stack name, e.g. "dev". */
  readonly stack: string;
  /** The file that holds this stack's config, for error messages and docs. */
  readonly file: string;
  /** Public host names derived from baseDomain, regionName and dns.webAppHost. */
  readonly names: PublicNames;
  /** Tags put on every DigitalOcean resource, for billing and for finding an environment's resources. */
  readonly tags: string[];
  /**
   * Drop the objects of an unreachable cluster from state instead of failing: only for a deliberate rebuild of a
   * cluster that is really gone. Never from the stack file: on for one run when LOCO_DELETE_UNREACHABLE=true (with
   * PULUMI_K8S_DELETE_UNREACHABLE=true for the provider of the lost cluster still in state).
   */
  readonly deleteUnreachable: boolean;
}

/** The GitHub OAuth app loco's users log in with: created by a person, so set as secret config. */
interface GithubOAuthCredentials {
  readonly githubOAuthClientId: pulumi.Output<string>;
  readonly githubOAuthClientSecret: pulumi.Output<string>;
}

export type CloudStackConfig = Omit<CloudSettings, "environment"> &
  StackIdentity &
  CloudDerivedValues & {
    readonly environment: "dev" | "prod";
    readonly credentials: {
      readonly digitaloceanToken: pulumi.Output<string>;
      /** Least-privilege token (kubernetes:access_cluster) for the cluster's kubeconfig; never the account-wide one. */
      readonly clusterAccessToken: pulumi.Output<string>;
      readonly cloudflareApiToken: pulumi.Output<string>;
      readonly spacesAccessKeyId: pulumi.Output<string>;
      readonly spacesSecretKey: pulumi.Output<string>;
      /** Certificates the resurrector preserved, to restore before cert-manager starts (README "Certificates"). */
      readonly preservedCertificates?: Readonly<Record<string, pulumi.Output<PreservedCertificate>>>;
      /** Optional webhook for Grafana alerts that embeds a token. */
      readonly alertWebhookUrl?: pulumi.Output<string>;
    } & GithubOAuthCredentials;
  };

export type LocalStackConfig = Omit<LocalSettings, "environment"> &
  StackIdentity &
  DerivedValues & {
    readonly environment: "local";
    readonly credentials: {
      readonly databaseUrl: pulumi.Output<string>;
      readonly alertWebhookUrl?: pulumi.Output<string>;
    } & GithubOAuthCredentials;
  };

export type StackConfig = CloudStackConfig | LocalStackConfig;

/** Config as Pulumi hands it to a program: "namespace:key" -> string (objects are JSON), plus which keys are secret. */
export interface RawStackConfig {
  readonly stack: string;
  /** The Pulumi project's name: `pulumi config set region` (no namespace) writes `<project>:region`. */
  readonly project?: string;
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
  /** The run's environment variables; only {@link runEnvironmentVariables} are read. @default {} */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** The environment variables a run reads, besides config. */
export const runEnvironmentVariables = {
  deleteUnreachable: "LOCO_DELETE_UNREACHABLE",
  providerDeleteUnreachable: "PULUMI_K8S_DELETE_UNREACHABLE",
} as const;

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid stack config: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads the running stack's config through the Pulumi runtime and validates it. */
export function loadStackConfig(): StackConfig {
  const values = pulumi.runtime.allConfig();
  const secret = new Set(Object.keys(values).filter(isConfigSecret));
  return parseStackConfig({ stack: pulumi.getStack(), project: pulumi.getProject(), values, secretKeys: secret, environment: process.env });
}

/**
 * Whether a key was set with --secret. The SDK exposes this only as an internal helper; without it (an SDK that
 * dropped it) the plaintext-secret check is skipped rather than guessed, and secrets are still read as secrets.
 */
function isConfigSecret(key: string): boolean {
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
  return runtimeConfig.isConfigSecret?.(key) ?? true;
}

/** Pure: validates raw config into a typed {@link StackConfig}, or throws a {@link ConfigError} listing every problem. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const file = `Pulumi.${raw.stack}.yaml`;
  const { settings, secrets, problems, hidden } = splitNamespace(raw);
  const format = (p: ConfigProblem) => formatProblem(file, hidden.has(String(p.path[0])) ? { ...p, hasValue: false } : p);

  const environment = settings.environment;
  if (!isEnvironment(environment)) {
    const allowed = `one of ${environments.join(", ")}`;
    problems.push(
      environment === undefined
        ? { path: ["environment"], hasValue: false, message: `is required: ${allowed}` }
        : { path: ["environment"], value: environment, hasValue: true, message: `must be ${allowed}` },
    );
    throw new ConfigError(file, problems.map(format));
  }

  const expectedSecrets: readonly string[] = secretKeys[environment];
  const optionalSecrets: readonly string[] = optionalSecretKeys[environment];
  problems.push(...secretProblems(environment, expectedSecrets, optionalSecrets, secrets, raw.secretKeys));
  if (secrets.alertWebhookUrl !== undefined && settings.observability !== undefined) {
    const alerting = (settings.observability as { alerting?: { webhookUrl?: unknown } }).alerting;
    if (alerting?.webhookUrl !== undefined) {
      problems.push({
        path: ["alertWebhookUrl"],
        hasValue: false,
        message: "and observability.alerting.webhookUrl are both set: keep one (the secret if the URL holds a token)",
      });
    }
  }

  const merged = deepMerge(configDefaults[environment], settings);
  problems.push(...crossFieldProblems(merged));
  const unreachable = deleteUnreachableOf(raw.environment ?? {});
  problems.push(...unreachable.problems);
  const identity = (baseDomain: string, regionName: string, webAppHost: WebAppHost): StackIdentity => ({
    stack: raw.stack,
    file,
    names: publicNames(baseDomain, regionName, webAppHost),
    tags: ["loco", `loco-${raw.stack}`],
    deleteUnreachable: unreachable.value,
  });
  const secretOutput = (key: string) => pulumi.secret(secrets[key]);
  /** The merged config as `schema` types it, or a ConfigError with every problem found so far and by the schema. */
  const validated = <S extends z.ZodType>(schema: S): z.infer<S> => {
    const parsed = schema.safeParse(merged, { reportInput: true });
    const secretNames = [...expectedSecrets, ...optionalSecrets];
    if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => issueToProblems(issue, schema, secretNames)));
    if (!parsed.success || problems.length > 0) throw new ConfigError(file, problems.map(format));
    return parsed.data;
  };
  const optionalSecretOutput = (key: string) => (secrets[key] === undefined ? undefined : secretOutput(key));

  if (environment === "local") {
    const data = validated(localConfigSchema);
    return {
      ...data,
      ...identity(data.baseDomain, data.regionName, "apex"),
      ...localDerivedValues(raw.stack, data),
      environment: "local",
      credentials: {
        databaseUrl: secretOutput("databaseUrl"),
        alertWebhookUrl: optionalSecretOutput("alertWebhookUrl"),
        githubOAuthClientId: secretOutput("githubOAuthClientId"),
        githubOAuthClientSecret: secretOutput("githubOAuthClientSecret"),
      },
    };
  }
  const data = validated(cloudConfigSchema);
  const derived = cloudDerivedValues(raw.stack, environment, data);
  const preserved =
    secrets.preservedCertificates === undefined
      ? undefined
      : parsePreservedCertificates(secrets.preservedCertificates, {
          certificates: { [derived.publicCertificate.secretName]: derived.publicCertificate.dnsNames },
          now: new Date(),
        });
  problems.push(...(preserved?.problems ?? []).map((message) => ({ path: ["preservedCertificates"], hasValue: false, message })));
  if (problems.length > 0) throw new ConfigError(file, problems.map(format));
  return {
    ...data,
    ...identity(data.baseDomain, data.regionName, data.dns.webAppHost),
    ...derived,
    environment,
    credentials: {
      digitaloceanToken: secretOutput("digitaloceanToken"),
      clusterAccessToken: secretOutput("clusterAccessToken"),
      cloudflareApiToken: secretOutput("cloudflareApiToken"),
      spacesAccessKeyId: secretOutput("spacesAccessKeyId"),
      spacesSecretKey: secretOutput("spacesSecretKey"),
      // Secret names are plain (they decide which Secrets exist); the certificates and keys are secrets.
      preservedCertificates: preserved?.value
        ? Object.fromEntries(Object.entries(preserved.value).map(([secretName, pem]) => [secretName, pulumi.secret(pem)]))
        : undefined,
      alertWebhookUrl: optionalSecretOutput("alertWebhookUrl"),
      githubOAuthClientId: secretOutput("githubOAuthClientId"),
      githubOAuthClientSecret: secretOutput("githubOAuthClientSecret"),
    },
  };
}

/**
 * LOCO_DELETE_UNREACHABLE=true turns deleteUnreachable on for one run. The Kubernetes provider reads
 * PULUMI_K8S_DELETE_UNREACHABLE itself (for providers configured from state), so the two must agree.
 */
function deleteUnreachableOf(environment: Readonly<Record<string, string | undefined>>): { value: boolean; problems: ConfigProblem[] } {
  const { deleteUnreachable: ours, providerDeleteUnreachable: theirs } = runEnvironmentVariables;
  const value = environment[ours] ?? "";
  const provider = environment[theirs] ?? "";
  const problem = (message: string): ConfigProblem => ({ path: [], hasValue: false, message });
  if (!["", "true", "false"].includes(value)) {
    return {
      value: false,
      problems: [problem(`environment variable ${ours} = ${JSON.stringify(value.slice(0, 40))}: must be true or false`)],
    };
  }
  const on = value === "true";
  if (on && provider !== "true") {
    return {
      value: on,
      problems: [
        problem(
          `environment variable ${ours}=true: set ${theirs}=true as well, or the Kubernetes provider of the lost cluster (kept in state) cannot drop its objects`,
        ),
      ],
    };
  }
  if (!on && provider !== "" && provider !== "false") {
    return {
      value: on,
      problems: [
        problem(
          `environment variable ${theirs} is set without ${ours}=true: a refresh would forget every object of a cluster it merely cannot reach; unset it (only a deliberate rebuild sets both, docs/architecture.md)`,
        ),
      ],
    };
  }
  return { value: on, problems: [] };
}

function isEnvironment(value: unknown): value is Environment {
  return typeof value === "string" && (environments as readonly string[]).includes(value);
}

/**
 * Separates `loco:` settings from secrets, decodes JSON objects, and refuses every key of another namespace: the
 * program reads none of them, so each would be silently ignored. Values outside `loco:` are never printed.
 */
function splitNamespace(raw: RawStackConfig) {
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  /** Settings set with --secret: their values never appear in a message. */
  const hidden = new Set<string>();
  const allSecretNames = new Set<string>([...Object.values(secretKeys).flat(), ...Object.values(optionalSecretKeys).flat()]);
  for (const [fullKey, value] of Object.entries(raw.values).sort(([a], [b]) => a.localeCompare(b))) {
    const separator = fullKey.indexOf(":");
    const namespace = separator < 0 ? "" : fullKey.slice(0, separator);
    const key = fullKey.slice(separator + 1);
    if (namespace === configNamespace) {
      if (allSecretNames.has(key)) {
        secrets[key] = value;
        continue;
      }
      if (raw.secretKeys.has(fullKey)) hidden.add(key);
      const decoded = decodeValue(value);
      if (decoded.ok) settings[key] = decoded.value;
      // The value of a key nobody reads is not shown: it may be a secret under a mistyped name.
      else problems.push({ path: [key], value, hasValue: knownTopLevelKeys.includes(key), message: "is not valid JSON" });
    } else if (disabledProviderNamespaces.includes(namespace)) {
      problems.push({
        path: [],
        hasValue: false,
        message: `${fullKey} is ignored: default providers are disabled and every provider is built from loco: keys (see README "Config")`,
      });
    } else if (namespace !== engineNamespace) {
      problems.push({ path: [], hasValue: false, message: foreignKeyMessage(fullKey, namespace, key, raw.project) });
    }
  }
  return { settings, secrets, problems, hidden };
}

/** Why a key outside `loco:` is refused, and the `loco:` key it probably meant. */
function foreignKeyMessage(fullKey: string, namespace: string, key: string, project: string | undefined): string {
  const refused = `${fullKey} is not read by this program: it reads only loco: keys, so this one would be silently ignored`;
  const suggestion = closest(key.split(".")[0], knownTopLevelKeys);
  const meant = suggestion ? `did you mean "${configNamespace}:${suggestion}"?` : "see docs/config-reference.md for the loco: keys";
  const why =
    namespace === project
      ? ` (\`pulumi config set ${key}\` without a namespace writes ${fullKey}: name the namespace, \`pulumi config set ${configNamespace}:${suggestion ?? key}\`)`
      : "";
  return `${refused}: ${meant}${why}`;
}

function decodeValue(value: string): { ok: true; value: unknown } | { ok: false } {
  if (!/^\s*[[{]/.test(value)) return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

function secretProblems(
  environment: Environment,
  expected: readonly string[],
  optional: readonly string[],
  secrets: Record<string, string>,
  setAsSecret: ReadonlySet<string>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const present = (key: string) => secrets[key] !== undefined && secrets[key] !== "";
  for (const key of [...expected, ...optional.filter(present)]) {
    const how = `pulumi config set --secret ${configNamespace}:${key} <value>`;
    if (!present(key)) {
      problems.push({ path: [key], hasValue: false, message: `is required (${secretDescriptions[key]}): run \`${how}\`` });
    } else if (!setAsSecret.has(`${configNamespace}:${key}`)) {
      problems.push({ path: [key], hasValue: false, message: `is stored in plaintext: set it again with \`${how}\`` });
    } else if (key === "databaseUrl") {
      const problem = postgresUrlProblem(secrets[key]);
      if (problem) problems.push({ path: [key], hasValue: false, message: problem });
    } else if (key === "alertWebhookUrl" && !/^https:\/\/[^\s/]+/.test(secrets[key])) {
      problems.push({ path: [key], hasValue: false, message: "must be an https:// URL (value hidden: it is a secret)" });
    }
  }
  for (const key of Object.keys(secrets).filter((k) => !expected.includes(k) && !optional.includes(k))) {
    problems.push({ path: [key], hasValue: false, message: `is not used by the ${environment} environment: remove it` });
  }
  return problems;
}

export function formatKey(path: readonly (string | number)[]): string {
  const rendered = path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
  return `${configNamespace}:${rendered}`;
}

function formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "<file>: <key> = <value>: <what is wrong and what is allowed>"; secrets never carry a value. */
function formatProblem(file: string, problem: ConfigProblem): string {
  if (problem.path.length === 0) return `${file}: ${problem.message}`;
  const shown = problem.hasValue ? ` = ${formatValue(problem.value)}` : "";
  return `${file}: ${formatKey(problem.path)}${shown}: ${problem.message}`;
}

/**
 * What loco's API and controller are told about the platform, as the environment variables they read at the pinned
 * revision (api/main.go, api/service/oauth.go, controller/internal/controller/application_controller.go), every value
 * taken from what the platform built rather than typed again. docs/loco.md has the same table for people.
 *
 * loco reads GitLab registry settings today. The platform's registry is Harbor, so they are mapped to their nearest
 * Harbor meaning (docs/loco.md "What loco must change to use Harbor"): the host and URL, the project, and a robot
 * account's name and secret where loco expects a GitLab token. Secrets are never values here: each is a
 * `secretKeyRef` into one of the component's Secrets, filled by {@link apiSecretData} / {@link controllerSecretData}.
 */
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { DatabaseEndpoint } from "../lib/database-connection";
import { signingKeysMount } from "../lib/signing-key-set";

/** The Secrets in loco's namespace that the pods' secret variables come from. */
export const locoSecretNames = { api: "loco-api-env", controller: "loco-controller-env" } as const;

/** Port the API listens on (api/main.go binds :8000) and the UI's nginx (web/nginx.conf). */
export const locoPorts = { api: 8000, ui: 8080, controllerHealth: 8081 } as const;

/** loco's log levels as the API reads LOG_LEVEL: a Go slog level number. */
export const logLevels = { debug: -4, info: 0, warn: 4, error: 8 } as const;
export type LogLevel = keyof typeof logLevels;

/** What the platform tells loco, none of it secret. */
export interface LocoPlatformWiring {
  /** loco's namespace: where its API writes Applications (LOCO_NAMESPACE). */
  readonly namespace: string;
  /** The base domain tenant apps live under (LOCO_DOMAIN_BASE). */
  readonly baseDomain: string;
  /** The API's public host (LOCO_DOMAIN_API). */
  readonly apiHost: string;
  /** Harbor, from the registry layer. */
  readonly registry: {
    /** Harbor's URL, e.g. https://registry.example.com. */
    readonly url: string;
    /** The registry host in image references. */
    readonly host: string;
    /** The Harbor project tenant images go to. */
    readonly project: string;
    /** `<host>/<project>`: where tenant images are pushed. */
    readonly repositoryPrefix: string;
  };
  /** Where the pods send OpenTelemetry, and the environment their telemetry is labelled with. */
  readonly telemetry: { readonly otlpGrpcEndpoint: string; readonly environment: string };
  /** The API's log level. */
  readonly logLevel: LogLevel;
}

/** The API's secret values, each stored in {@link locoSecretNames}.api under the variable's own name. */
export interface ApiSecretValues {
  /** loco's own database user, through the connection pool (see {@link apiDatabaseUrl}). */
  readonly databaseUrl: string;
  readonly githubOAuthClientId: string;
  readonly githubOAuthClientSecret: string;
  /** Harbor's builder robot (push and pull), where loco expects its GitLab token and token name. */
  readonly registryBuilder: { readonly username: string; readonly password: string };
}

/** The controller's secret value: Harbor's pull-only robot, where loco expects a GitLab token. */
export interface ControllerSecretValues {
  readonly registryPuller: { readonly username: string; readonly password: string };
}

const plain = (name: string, value: string | number): IEnvVar => ({ name, value: String(value) });
const fromSecret = (secret: string, name: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key: name } } });

/**
 * OpenTelemetry's standard SDK variables. loco's API and controller do not export telemetry yet (docs/loco.md); any
 * OpenTelemetry SDK they adopt reads these without another platform change.
 */
function telemetryEnvironment(wiring: LocoPlatformWiring, service: string): IEnvVar[] {
  return [
    plain("OTEL_EXPORTER_OTLP_ENDPOINT", wiring.telemetry.otlpGrpcEndpoint),
    plain("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
    plain("OTEL_SERVICE_NAME", service),
    plain("OTEL_RESOURCE_ATTRIBUTES", `service.namespace=loco,deployment.environment.name=${wiring.telemetry.environment}`),
  ];
}

/** Pure: the API's environment. `signingKeys` adds where the mounted signing key set is. */
export function apiEnvironment(wiring: LocoPlatformWiring, options: { readonly signingKeys: boolean }): IEnvVar[] {
  const secret = (name: string) => fromSecret(locoSecretNames.api, name);
  return [
    // PRODUCTION makes the API use its in-cluster service account (anything else reads a kubeconfig) and log JSON.
    plain("APP_ENV", "PRODUCTION"),
    plain("PORT", `:${locoPorts.api}`),
    plain("LOG_LEVEL", logLevels[wiring.logLevel]),
    plain("LOCO_NAMESPACE", wiring.namespace),
    plain("LOCO_DOMAIN_BASE", wiring.baseDomain),
    plain("LOCO_DOMAIN_API", wiring.apiHost),
    secret("DATABASE_URL"),
    secret("GH_OAUTH_CLIENT_ID"),
    secret("GH_OAUTH_CLIENT_SECRET"),
    plain("GITLAB_URL", wiring.registry.url),
    plain("GITLAB_REGISTRY_URL", wiring.registry.host),
    plain("GITLAB_PROJECT_ID", wiring.registry.project),
    secret("GITLAB_PAT"),
    secret("GITLAB_TOKEN_NAME"),
    secret("GITLAB_DEPLOY_TOKEN_NAME"),
    plain("REGISTRY_TAG", wiring.registry.repositoryPrefix),
    ...(options.signingKeys ? [plain(signingKeysMount.environmentVariable, signingKeysMount.directory)] : []),
    ...telemetryEnvironment(wiring, "loco-api"),
  ];
}

/** Pure: the contents of the API's Secret, keyed by the variable each value is read as. */
export function apiSecretData(values: ApiSecretValues): Record<string, string> {
  return {
    DATABASE_URL: values.databaseUrl,
    GH_OAUTH_CLIENT_ID: values.githubOAuthClientId,
    GH_OAUTH_CLIENT_SECRET: values.githubOAuthClientSecret,
    GITLAB_PAT: values.registryBuilder.password,
    GITLAB_TOKEN_NAME: values.registryBuilder.username,
    GITLAB_DEPLOY_TOKEN_NAME: values.registryBuilder.username,
  };
}

/** Pure: the controller's environment. It refuses to start without the four GitLab variables, so all four are set. */
export function controllerEnvironment(wiring: LocoPlatformWiring): IEnvVar[] {
  return [
    plain("LOCO_NAMESPACE", wiring.namespace),
    plain("GITLAB_URL", wiring.registry.url),
    plain("GITLAB_REGISTRY_URL", wiring.registry.host),
    plain("GITLAB_PROJECT_ID", wiring.registry.project),
    fromSecret(locoSecretNames.controller, "GITLAB_PAT"),
    ...telemetryEnvironment(wiring, "loco-controller"),
  ];
}

/** Pure: the contents of the controller's Secret. */
export function controllerSecretData(values: ControllerSecretValues): Record<string, string> {
  return { GITLAB_PAT: values.registryPuller.password };
}

/**
 * Pure: the API's DATABASE_URL. The pooled endpoint is PgBouncer in transaction mode, where a prepared statement
 * made in one transaction is gone in the next; pgx (loco's driver) caches named prepared statements unless told
 * `default_query_exec_mode=exec`, which keeps the extended protocol with unnamed statements. A mode already in the
 * URL is kept.
 */
export function apiDatabaseUrl(pooled: DatabaseEndpoint): string {
  const url = new URL(pooled.uri);
  if (!url.searchParams.has("default_query_exec_mode")) url.searchParams.set("default_query_exec_mode", "exec");
  return url.toString();
}

/**
 * Hands a stack the secrets CI holds for it. The committed stack files carry placeholders for their credentials
 * (`secure: v1:placeholder:...`) so the offline plan works from a clone; a real run needs each one set with
 * `pulumi config set --secret`. In CI the values come from the GitHub environment's secrets, named after the
 * config key: `loco:digitaloceanToken` -> `DIGITALOCEAN_TOKEN`, `loco:resurrector.encryptionKey` ->
 * `RESURRECTOR_ENCRYPTION_KEY`. Values reach `pulumi` on stdin, never on a command line, and never in a message.
 */
import { spawnSync } from "node:child_process";
import { readStackFile } from "./stacks";

/** The GitHub secret that holds a config key's value. */
export function secretNameForConfigKey(key: string): string {
  const [namespace, path] = key.includes(":") ? key.split(":", 2) : ["", key];
  const words = (namespace === "loco" ? path : `${namespace}.${path}`)
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "");
  return words.join("_").toUpperCase();
}

export interface RequiredSecret {
  readonly configKey: string;
  readonly secretName: string;
}

export function requiredSecrets(projectDir: string, stack: string): RequiredSecret[] {
  return readStackFile(projectDir, stack).placeholderSecretKeys.map((configKey) => ({
    configKey,
    secretName: secretNameForConfigKey(configKey),
  }));
}

export class MissingSecretsError extends Error {}

/** Parses `toJSON(secrets)` as the workflow passes it; names the problem without echoing any value. */
export function parseEnvironmentSecrets(json: string | undefined): Record<string, string> {
  if (json === undefined || json.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new MissingSecretsError("STACK_SECRETS is not JSON: pass it as ${{ toJSON(secrets) }}");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new MissingSecretsError("STACK_SECRETS must be a JSON object of secrets");
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""),
  );
}

/** Throws a {@link MissingSecretsError} naming every secret the stack needs that the environment lacks. */
export function assertSecretsPresent(stack: string, required: readonly RequiredSecret[], secrets: Readonly<Record<string, string>>): void {
  const missing = required.filter((r) => secrets[r.secretName] === undefined);
  if (missing.length === 0) return;
  const list = missing.map((m) => `${m.secretName} (${m.configKey})`).join(", ");
  throw new MissingSecretsError(`stack ${stack} needs GitHub environment secret(s) that are not set: ${list}`);
}

/** Runs `pulumi config set --secret` for each required key, the value on stdin. `pulumi` is whatever is on env's PATH. */
export function setStackSecrets(
  stack: string,
  required: readonly RequiredSecret[],
  secrets: Readonly<Record<string, string>>,
  cwd: string,
  env: NodeJS.ProcessEnv,
): void {
  assertSecretsPresent(stack, required, secrets);
  for (const { configKey, secretName } of required) {
    const nested = configKey.slice(configKey.indexOf(":") + 1).includes(".");
    const args = ["config", "set", "--secret", "--stack", stack, ...(nested ? ["--path"] : []), configKey];
    const result = spawnSync("pulumi", args, { cwd, env, input: secrets[secretName], encoding: "utf8" });
    // EPIPE only means pulumi exited without reading its stdin (it failed first): its exit status says why.
    const epipe = (result.error as NodeJS.ErrnoException | undefined)?.code === "EPIPE" && result.status !== null;
    if (result.error && !epipe) throw new Error(`cannot run pulumi: ${result.error.message}`);
    if (result.status !== 0)
      throw new Error(`pulumi config set --secret ${configKey} failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
}

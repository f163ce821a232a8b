/**
 * `npm run resurrector -- <command>`: the resurrector's read side.
 *
 *   plan --database-url URL [--cluster NAME] [--environment ENV] [--base-domain DOMAIN] [--json]
 *   plan --demo [--json]
 *   status --kubeconfig PATH [--context NAME] [--public-url URL] [--resolve ADDRESS] [--public-ca FILE] [--timeout SECONDS] [--json]
 *   migrate --database-url URL
 *   serve --demo | --database-url URL [--port N] [--host ADDRESS]
 *
 * The database URL may come from LOCO_DATABASE_URL instead of the command line (which other users can read).
 * LOCO_RESURRECTOR_KEY (base64, 32 bytes) lets `plan` open the sealed environments and certificates to prove
 * a rebuild could restore them.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { migrateCommand } from "../resurrector/commands/migrate-command";
import { planCommand } from "../resurrector/commands/plan-command";
import { failure, usageExitCode, type CommandResult } from "../resurrector/commands/result";
import { serveCommand } from "../resurrector/commands/serve-command";
import { statusCommand } from "../resurrector/commands/status-command";

export const usage = `usage:
  npm run resurrector -- plan --database-url URL [--cluster NAME] [--environment ENV] [--base-domain DOMAIN] [--json]
  npm run resurrector -- plan --demo [--json]
  npm run resurrector -- status --kubeconfig PATH [--context NAME] [--public-url URL] [--resolve ADDRESS] [--public-ca FILE] [--timeout SECONDS] [--json]
  npm run resurrector -- migrate --database-url URL
  npm run resurrector -- serve --demo | --database-url URL [--port N] [--host ADDRESS]
The database URL may also come from LOCO_DATABASE_URL; LOCO_RESURRECTOR_KEY lets plan open what is sealed.
LOCO_STATUS_WEBHOOK_SECRET turns on serve's webhook for Grafana's alerts.
Exit codes: plan and migrate 0 done, 1 failed; serve 0 stopped by a signal, 1 could not start; status 0 healthy, 1 degraded, 2 down, 3 could not probe; 64 bad command line.`;

const usageError = (message: string) => failure(usageExitCode, `${message}\n${usage}`);

function parse(args: readonly string[], options: NonNullable<ParseArgsConfig["options"]>) {
  return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
}

async function plan(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const { values } = parse(args, {
    "database-url": { type: "string" },
    demo: { type: "boolean", default: false },
    cluster: { type: "string" },
    environment: { type: "string", default: "prod" },
    "base-domain": { type: "string" },
    json: { type: "boolean", default: false },
  });
  const demo = values.demo === true;
  if (demo && values["database-url"] !== undefined) return usageError("plan: give either --demo or --database-url, not both");
  const databaseUrl = demo ? undefined : ((values["database-url"] as string | undefined) ?? env.LOCO_DATABASE_URL);
  if (!demo && !databaseUrl) return usageError("plan: --database-url (or LOCO_DATABASE_URL) is required, or --demo");
  return planCommand(
    {
      databaseUrl,
      demo,
      cluster: values.cluster as string | undefined,
      environment: values.environment as string,
      baseDomain: values["base-domain"] as string | undefined,
      json: values.json === true,
    },
    env,
  );
}

async function status(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const { values } = parse(args, {
    kubeconfig: { type: "string" },
    context: { type: "string" },
    "public-url": { type: "string" },
    resolve: { type: "string" },
    "public-ca": { type: "string" },
    timeout: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  });
  const kubeconfig = (values.kubeconfig as string | undefined) ?? env.KUBECONFIG;
  if (!kubeconfig) return usageError("status: --kubeconfig is required (or KUBECONFIG)");
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 300) {
    return usageError(`status: --timeout must be a number of seconds from 0 to 300 (got ${String(values.timeout)})`);
  }
  return statusCommand({
    kubeconfigPath: kubeconfig,
    context: values.context as string | undefined,
    publicUrl: values["public-url"] as string | undefined,
    resolve: values.resolve as string | undefined,
    publicCaPath: values["public-ca"] as string | undefined,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    json: values.json === true,
  });
}

async function migrate(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const { values } = parse(args, { "database-url": { type: "string" } });
  const databaseUrl = (values["database-url"] as string | undefined) ?? env.LOCO_DATABASE_URL;
  if (!databaseUrl) return usageError("migrate: --database-url (or LOCO_DATABASE_URL) is required");
  return migrateCommand(databaseUrl);
}

async function serve(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const { values } = parse(args, {
    demo: { type: "boolean", default: false },
    "database-url": { type: "string" },
    port: { type: "string", default: "8080" },
    host: { type: "string", default: "127.0.0.1" },
  });
  const demo = values.demo === true;
  const databaseUrl = demo ? undefined : ((values["database-url"] as string | undefined) ?? env.LOCO_DATABASE_URL);
  if (demo && values["database-url"] !== undefined) return usageError("serve: give either --demo or --database-url, not both");
  if (!demo && !databaseUrl) return usageError("serve: --database-url (or LOCO_DATABASE_URL) is required, or --demo");
  const port = Number(values.port);
  if (!/^\d+$/.test(String(values.port)) || port > 65535)
    return usageError(`serve: --port must be a port number from 0 to 65535 (got ${String(values.port)})`);
  return serveCommand({ demo, databaseUrl, port, host: values.host as string }, env);
}

const commands: Record<string, (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<CommandResult>> = {
  plan,
  status,
  migrate,
  serve,
};

export async function resurrectorCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) return usageError(name === undefined ? "a command is required" : `unknown command "${name}"`);
  try {
    return await command(args, env);
  } catch (error) {
    // parseArgs rejects unknown options and missing values: a usage problem, said in its own words.
    if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) return usageError(`${name}: ${(error as Error).message}`);
    throw error;
  }
}

if (require.main === module) {
  void resurrectorCommand(process.argv.slice(2), process.env).then(
    (result) => {
      if (result.stdout) process.stdout.write(`${result.stdout}\n`);
      if (result.stderr) process.stderr.write(`${result.stderr}\n`);
      process.exitCode = result.code;
    },
    (error: unknown) => {
      process.stderr.write(`resurrector: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

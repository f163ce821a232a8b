/**
 * `npm run resurrector -- <command>`: the resurrector's commands. `--help` lists them; `<command> --help` lists
 * a command's options and exit codes.
 *
 * The pattern, for every command: this file declares the command line (one function per command, registered in
 * {@link commands}) and turns the parsed options into the typed options of the command's logic, which lives in
 * resurrector/commands/<name>-command.ts and returns a CommandResult. Adding a command is one such function, one
 * entry in the list, and its command module; nothing here prints or exits.
 *
 * The database URL may come from LOCO_DATABASE_URL instead of the command line (which other users can read).
 * LOCO_RESURRECTOR_KEY (base64, 32 bytes) lets `plan` open the sealed environments and certificates to prove
 * a rebuild could restore them.
 */
import { Option } from "commander";
import { type CommandResult } from "../lib/command-result";
import { migrateCommand } from "../resurrector/commands/migrate-command";
import { planCommand } from "../resurrector/commands/plan-command";
import { actVariable, rebuildCommand } from "../resurrector/commands/rebuild-command";
import { replayCommand } from "../resurrector/commands/replay-command";
import { rekeyCommand } from "../resurrector/commands/rekey-command";
import { serveCommand } from "../resurrector/commands/serve-command";
import { snapshotCommand } from "../resurrector/commands/snapshot-command";
import { storedCommand } from "../resurrector/commands/stored-command";
import { statusCommand } from "../resurrector/commands/status-command";
import { actsFor, watchCommand } from "../resurrector/commands/watch-command";
import { defaultWatchPolicy } from "../resurrector/watch/watch-decision";
import { kubeconfigPaths } from "../resurrector/kube/kubeconfig";
import { defaultKeptVersions } from "../resurrector/store/versions";
import { CliCommand, execute, InvalidArgumentError, runAsProcess, wholeNumber } from "./command-line";

const databaseUrlHelp =
  "loco's database (postgres:// URL); default: $LOCO_DATABASE_URL, which other users cannot read from the process list";

/** `--database-url`, else LOCO_DATABASE_URL; neither is a usage error naming the command. */
function requiredDatabaseUrl(command: CliCommand, name: string, flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env.LOCO_DATABASE_URL;
  if (!url) command.usageError(`${name} needs --database-url (or LOCO_DATABASE_URL)`);
  return url;
}

/** Declares one command on `program`; `env` is the environment its options may default from. */
type CommandLine = (program: CliCommand, env: NodeJS.ProcessEnv) => void;

function plan(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("plan")
    .description("What a rebuild of one cluster would create, read from loco's database in a read-only transaction.")
    .addOption(new Option("--database-url <url>", databaseUrlHelp).conflicts("demo"))
    .option("--demo", "plan from an embedded PostgreSQL filled with demo data instead (nothing to set up)")
    .option("--cluster <name>", "the cluster to plan (default: loco's default cluster)")
    .option("--environment <env>", "the platform stack the plan's `pulumi up` suggestion names", "prod")
    .option("--base-domain <domain>", "the platform's base domain, when it differs from the database's")
    .option("--json", "print the plan as JSON")
    .addHelpText("after", "\nExit codes: 0 a plan was printed (skipped rows included), 1 no plan could be made, 64 bad command line.")
    .runs(
      (options: { databaseUrl?: string; demo?: boolean; cluster?: string; environment: string; baseDomain?: string; json?: boolean }) => {
        const demo = options.demo === true;
        const databaseUrl = demo ? undefined : (options.databaseUrl ?? env.LOCO_DATABASE_URL);
        if (!demo && !databaseUrl) command.usageError("plan needs --database-url (or LOCO_DATABASE_URL), or --demo");
        return planCommand(
          {
            databaseUrl,
            demo,
            cluster: options.cluster,
            environment: options.environment,
            baseDomain: options.baseDomain,
            json: options.json === true,
          },
          env,
        );
      },
    );
}

/** `--timeout` in seconds, above 0 and at most 300; fractions allowed. */
function timeoutSeconds(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0 && seconds <= 300)) throw new InvalidArgumentError("It must be a number of seconds above 0 and at most 300.");
  return seconds;
}

function status(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("status")
    .description("Probe the guarded cluster from outside: API server, nodes, platform workloads, the public endpoint.")
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: $KUBECONFIG, a list merged as kubectl merges it)")
    .option("--context <name>", "kubeconfig context (default: its current-context)")
    .option("--public-url <url>", "an https:// URL the public endpoint must answer")
    .option("--resolve <address>", "connect to this address for --public-url instead of resolving its host")
    .option("--public-ca <file>", "extra CA (PEM) to trust for --public-url")
    .option("--timeout <seconds>", "time each probe may take", timeoutSeconds, 5)
    .option("--json", "print the status as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 healthy, 1 degraded, 2 down, 3 could not probe (unusable kubeconfig or CA file), 64 bad command line.",
    )
    .runs(
      (options: {
        kubeconfig?: string;
        context?: string;
        publicUrl?: string;
        resolve?: string;
        publicCa?: string;
        timeout: number;
        json?: boolean;
      }) => {
        const kubeconfigs = kubeconfigPaths(options.kubeconfig, env);
        if (!kubeconfigs) command.usageError("status needs --kubeconfig (or KUBECONFIG)");
        return statusCommand({
          kubeconfigPaths: kubeconfigs,
          context: options.context,
          publicUrl: options.publicUrl,
          resolve: options.resolve,
          publicCaPath: options.publicCa,
          timeoutMs: Math.round(options.timeout * 1000),
          json: options.json === true,
        });
      },
    );
}

function migrate(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("migrate")
    .description("Create or upgrade the resurrector's schema in loco's database.")
    .option("--database-url <url>", databaseUrlHelp)
    .addHelpText("after", "\nExit codes: 0 done, 1 failed, 64 bad command line.")
    .runs((options: { databaseUrl?: string }) => {
      const databaseUrl = requiredDatabaseUrl(command, "migrate", options.databaseUrl, env);
      return migrateCommand(databaseUrl);
    });
}

function replay(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("replay")
    .description("Write every tenant app of a cluster's active deployments from loco's database onto the cluster (server-side apply).")
    .option("--database-url <url>", databaseUrlHelp)
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: $KUBECONFIG, a list merged as kubectl merges it)")
    .option("--context <name>", "kubeconfig context (default: its current-context)")
    .option("--cluster <name>", "loco's cluster whose apps are replayed (default: loco's default cluster)")
    .addOption(
      new Option("--mode <mode>", "application: loco's own Applications; objects: the renderer's objects")
        .choices(["application", "objects"])
        .default("application"),
    )
    .option("--concurrency <n>", "apps applied at once (and the most requests in flight)", wholeNumber(1, 256), 16)
    .option("--dry-run", "server-side dry run (dryRun=All): every apply validated by the API server, nothing stored")
    .option("--force-conflicts", "take over fields another field manager holds with other values (a fresh cluster)")
    .option("--environment <env>", "the platform environment: LOCO_PROFILE and the environment label of rendered objects", "prod")
    .option("--base-domain <domain>", "the platform's base domain, when it differs from the database's")
    .option("--loco-namespace <name>", "loco's namespace, where its API writes Applications (default: loco-system)")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nLOCO_RESURRECTOR_KEY opens the sealed environments (an app that has one is not replayed without it).\n" +
        "Exit codes: 0 every app applied, 1 some failed, 3 could not start (nothing written), 64 bad command line.",
    )
    .runs(
      (options: {
        databaseUrl?: string;
        kubeconfig?: string;
        context?: string;
        cluster?: string;
        mode: "application" | "objects";
        concurrency: number;
        dryRun?: boolean;
        forceConflicts?: boolean;
        environment: string;
        baseDomain?: string;
        locoNamespace?: string;
        json?: boolean;
      }) => {
        const databaseUrl = requiredDatabaseUrl(command, "replay", options.databaseUrl, env);
        const kubeconfigs = kubeconfigPaths(options.kubeconfig, env);
        if (!kubeconfigs) command.usageError("replay needs --kubeconfig (or KUBECONFIG)");
        return replayCommand(
          {
            databaseUrl,
            kubeconfigPaths: kubeconfigs,
            context: options.context,
            cluster: options.cluster,
            mode: options.mode,
            concurrency: options.concurrency,
            dryRun: options.dryRun === true,
            forceConflicts: options.forceConflicts === true,
            environment: options.environment,
            baseDomain: options.baseDomain,
            locoNamespace: options.locoNamespace,
            json: options.json === true,
          },
          env,
        );
      },
    );
}

function rebuild(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("rebuild")
    .description(
      "Rebuild a platform stack's cluster once: converge, restore certificates, replay tenant apps, verify (dry run by default).",
    )
    .requiredOption("--environment <stack>", "the platform stack to rebuild (dev, prod)")
    .option("--act", `change things; needs ${actVariable}=true as well (either alone is a dry run)`)
    .option("--database-url <url>", databaseUrlHelp)
    .option("--kubeconfig <path>", "kubeconfig of the new cluster (default: fetched from DigitalOcean with DIGITALOCEAN_TOKEN)")
    .option("--cluster <name>", "loco's cluster whose apps are replayed (default: loco's default cluster)")
    .addOption(
      new Option("--mode <mode>", "replay mode: application (loco's Applications) or objects (the renderer's objects)")
        .choices(["application", "objects"])
        .default("application"),
    )
    .option("--concurrency <n>", "apps replayed at once", wholeNumber(1, 256), 16)
    .option("--json", "print the outcome as JSON")
    .addHelpText(
      "after",
      `\nDry run unless both --act and ${actVariable}=true. LOCO_RESURRECTOR_KEY opens the sealed environments and certificates;\n` +
        "LOCO_ALERT_WEBHOOK_URL is notified at each phase; the Pulumi CLI (3.208 or newer) must be on the PATH.\n" +
        "Exit codes: 0 rebuilt (or dry run), 1 failed (the summary says whether the next run resumes), 3 refused (nothing changed), 64 bad command line.",
    )
    .runs(
      (options: {
        environment: string;
        act?: boolean;
        databaseUrl?: string;
        kubeconfig?: string;
        cluster?: string;
        mode: "application" | "objects";
        concurrency: number;
        json?: boolean;
      }) => {
        const databaseUrl = requiredDatabaseUrl(command, "rebuild", options.databaseUrl, env);
        return rebuildCommand(
          {
            environment: options.environment,
            act: options.act === true,
            databaseUrl,
            kubeconfigPaths: options.kubeconfig ? [options.kubeconfig] : undefined,
            cluster: options.cluster,
            mode: options.mode,
            concurrency: options.concurrency,
            json: options.json === true,
          },
          env,
        );
      },
    );
}

function snapshot(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("snapshot")
    .description("Seal every tenant app's environment and every certificate Secret of the live cluster that changed into the store.")
    .option("--database-url <url>", databaseUrlHelp)
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: $KUBECONFIG, a list merged as kubectl merges it)")
    .option("--context <name>", "kubeconfig context (default: its current-context)")
    .option("--cluster <name>", "loco's cluster the apps belong to (default: loco's default cluster)")
    .option("--keep <k>", "versions kept per app and per certificate", wholeNumber(1, 1000), defaultKeptVersions)
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nLOCO_RESURRECTOR_KEY seals (LOCO_RESURRECTOR_NEW_KEY instead, while a rekey runs).\n" +
        "Exit codes: 0 done, 1 some Secret malformed or not stored, 3 could not start (nothing written), 64 bad command line.",
    )
    .runs((options: { databaseUrl?: string; kubeconfig?: string; context?: string; cluster?: string; keep: number; json?: boolean }) => {
      const databaseUrl = requiredDatabaseUrl(command, "snapshot", options.databaseUrl, env);
      const kubeconfigs = kubeconfigPaths(options.kubeconfig, env);
      if (!kubeconfigs) command.usageError("snapshot needs --kubeconfig (or KUBECONFIG)");
      return snapshotCommand(
        {
          databaseUrl,
          kubeconfigPaths: kubeconfigs,
          context: options.context,
          cluster: options.cluster,
          keep: options.keep,
          json: options.json === true,
        },
        env,
      );
    });
}

function rekey(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("rekey")
    .description("Re-wrap every sealed record's data key under a new master key; safe to interrupt, resumes where it stopped.")
    .option("--database-url <url>", databaseUrlHelp)
    .option("--json", "print the counts as JSON")
    .addHelpText(
      "after",
      "\nLOCO_RESURRECTOR_KEY is the current key, LOCO_RESURRECTOR_NEW_KEY the new one (both required).\n" +
        "Exit codes: 0 every record moved, 1 some could not be opened, 2 interrupted (run it again), 3 refused (nothing changed), 64 bad command line.",
    )
    .runs((options: { databaseUrl?: string; json?: boolean }) => {
      const databaseUrl = requiredDatabaseUrl(command, "rekey", options.databaseUrl, env);
      return rekeyCommand({ databaseUrl, json: options.json === true }, env);
    });
}

function stored(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("stored")
    .description("List what the store holds: names, versions, ages and key ids, never values.")
    .option("--database-url <url>", databaseUrlHelp)
    .option("--json", "print the listing as JSON")
    .addHelpText("after", "\nExit codes: 0 listed, 1 the store could not be read, 64 bad command line.")
    .runs((options: { databaseUrl?: string; json?: boolean }) => {
      const databaseUrl = requiredDatabaseUrl(command, "stored", options.databaseUrl, env);
      return storedCommand({ databaseUrl, json: options.json === true });
    });
}

function watch(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("watch")
    .description("Probe the guarded cluster on an interval, record each probe, decide (notify, rebuild, refuse) with hysteresis.")
    .requiredOption("--environment <stack>", "the guarded platform stack (dev, prod): its cluster is loco-<stack>-cluster[-g<n>]")
    .option("--interval <seconds>", "time between the starts of two probes", wholeNumber(5, 3600), 30)
    .option(
      "--down-probes <n>",
      "consecutive down probes before the cluster is down (N)",
      wholeNumber(1, 1000),
      defaultWatchPolicy.downProbes,
    )
    .option("--down-minutes <m>", "and the minutes they must span at least (M)", wholeNumber(0, 1440), defaultWatchPolicy.downMinutes)
    .option(
      "--healthy-probes <k>",
      "consecutive healthy probes to leave degraded or down (K)",
      wholeNumber(1, 100),
      defaultWatchPolicy.healthyProbes,
    )
    .option("--act", `let a rebuild decision change things (also needs ${actVariable}=true; otherwise a dry run)`)
    .option("--once", "run one cycle and stop (cron, tests)")
    .option("--json", "print each cycle as one line of JSON")
    .option("--database-url <url>", databaseUrlHelp)
    .option(
      "--kubeconfig <path>",
      "kubeconfig of the cluster (default: $KUBECONFIG, else the one DigitalOcean's API gives for the cluster)",
    )
    .option("--context <name>", "kubeconfig context (default: its current-context)")
    .option("--public-url <url>", "an https:// URL the public endpoint must answer (the second source's tie-breaker)")
    .option("--timeout <seconds>", "time each probe and each DigitalOcean request may take", timeoutSeconds, 10)
    .addHelpText(
      "after",
      `\nDIGITALOCEAN_TOKEN (required): the second source, and the kubeconfig when none is given. ${actVariable}=true and --act: act.\n` +
        "Exit codes: 0 stopped by SIGTERM or SIGINT (--once: a cycle ran), 1 could not start (--once: loco's database unreadable), 64 bad command line.",
    )
    .runs(
      (options: {
        environment: string;
        interval: number;
        downProbes: number;
        downMinutes: number;
        healthyProbes: number;
        act?: boolean;
        once?: boolean;
        json?: boolean;
        databaseUrl?: string;
        kubeconfig?: string;
        context?: string;
        publicUrl?: string;
        timeout: number;
      }) => {
        if (!/^[a-z][a-z0-9-]{0,40}$/.test(options.environment)) {
          command.usageError(`--environment ${JSON.stringify(options.environment).slice(0, 60)} is not a stack name (e.g. prod)`);
        }
        const databaseUrl = requiredDatabaseUrl(command, "watch", options.databaseUrl, env);
        const digitaloceanToken = env.DIGITALOCEAN_TOKEN;
        if (!digitaloceanToken) command.usageError("watch needs DIGITALOCEAN_TOKEN (DigitalOcean's API is its second source)");
        let publicUrl: URL | undefined;
        if (options.publicUrl !== undefined) {
          publicUrl = URL.canParse(options.publicUrl) ? new URL(options.publicUrl) : undefined;
          if (publicUrl?.protocol !== "https:") command.usageError("--public-url must be an https:// URL");
        }
        return watchCommand(
          {
            stack: options.environment,
            databaseUrl,
            digitaloceanToken,
            intervalSeconds: options.interval,
            policy: { downProbes: options.downProbes, downMinutes: options.downMinutes, healthyProbes: options.healthyProbes },
            act: actsFor(options.act === true, env),
            once: options.once === true,
            json: options.json === true,
            kubeconfigPaths: kubeconfigPaths(options.kubeconfig, env),
            context: options.context,
            publicUrl,
            timeoutMs: Math.round(options.timeout * 1000),
          },
          env,
        );
      },
    );
}

/** Every command, in the order `--help` lists them. */
function serve(program: CliCommand, env: NodeJS.ProcessEnv): void {
  const command: CliCommand = program
    .command("serve")
    .description("Serve the public status page (GET /, GET /api/status, POST /api/alerts/grafana) until SIGINT or SIGTERM.")
    .addOption(new Option("--database-url <url>", databaseUrlHelp).conflicts("demo"))
    .option("--demo", "serve from an embedded PostgreSQL with 90 days of generated history instead")
    .option("--port <n>", "TCP port to listen on (0: any free port)", wholeNumber(0, 65535), 8080)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .addHelpText(
      "after",
      "\nLOCO_STATUS_WEBHOOK_SECRET turns on the webhook for Grafana's alerts.\nExit codes: 0 stopped by a signal, 1 could not start, 64 bad command line.",
    )
    .runs((options: { databaseUrl?: string; demo?: boolean; port: number; host: string }) => {
      const demo = options.demo === true;
      const databaseUrl = demo ? undefined : (options.databaseUrl ?? env.LOCO_DATABASE_URL);
      if (!demo && !databaseUrl) command.usageError("serve needs --database-url (or LOCO_DATABASE_URL), or --demo");
      return serveCommand({ demo, databaseUrl, port: options.port, host: options.host }, env);
    });
}

const commands: readonly CommandLine[] = [plan, status, migrate, replay, rebuild, serve, snapshot, rekey, stored, watch];

export function resurrectorCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const program = new CliCommand("npm run resurrector --")
    .description("The resurrector: rebuild plans from loco's database, cluster status, tenant replay, its own schema.")
    .addHelpText(
      "after",
      "\nEnvironment: LOCO_DATABASE_URL (instead of --database-url), KUBECONFIG (instead of --kubeconfig), LOCO_RESURRECTOR_KEY\n" +
        "(base64, 32 bytes: lets plan open sealed environments, and replay restore them), DIGITALOCEAN_TOKEN and LOCO_RESURRECTOR_ACT (rebuild, watch).\n" +
        "Exit codes: 0 done; 1 failed (status: degraded; 2 down, 3 could not probe; replay: 3 could not start; rebuild: 3 refused); 64 bad command line.",
    );
  for (const declare of commands) declare(program, env);
  return execute(program, argv);
}

if (require.main === module) runAsProcess("resurrector", (argv) => resurrectorCommand(argv, process.env));

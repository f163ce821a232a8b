/**
 * `rebuild`: every phase of a rebuild once, without watching (resurrector/rebuild/create-rebuilder.ts): the same
 * rebuilder, safety limits and records as `watch`. Dry run unless BOTH `--act` and LOCO_RESURRECTOR_ACT=true, so
 * neither a stray flag nor a stray environment variable acts alone.
 *
 * Where the new cluster is reached after converge: DigitalOcean's API with DIGITALOCEAN_TOKEN (the cluster found by
 * its name), or `--kubeconfig` when the operator already has one. LOCO_ALERT_WEBHOOK_URL, when set, is notified at
 * each phase; every notification is also a line on stderr.
 *
 * Exit codes: 0 rebuilt, or a dry run; 1 the rebuild failed (resumable unless given up: the summary says which);
 * 3 refused by a safety limit (nothing changed); 64 bad command line.
 */
import { stableJson } from "../rebuild-plan/format-plan";
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { createRebuilder } from "../rebuild/create-rebuilder";
import type { RebuildOutcome } from "../rebuild/rebuild-request";
import { actVariable, rebuilderDepsFromEnvironment, RebuilderSetupError } from "../rebuild/rebuilder-from-environment";
import type { ReplayMode } from "../replay/replay-report";
import { failure, usageExitCode, type CommandResult } from "./result";

export { actVariable };

/** A safety limit said no: nothing was changed. */
export const refusedExitCode = 3;

/**
 * The text form of an outcome: status, summary, then (once converge completed) the line saying which generation to
 * commit to the stack file, then the notes.
 */
export function rebuildOutcomeText(environment: string, outcome: RebuildOutcome, notes: readonly string[] = []): string {
  return [
    `Rebuild of ${terminalSafe(environment)}: ${outcome.status}`,
    terminalSafe(outcome.summary),
    ...(outcome.nextStep === undefined ? [] : [terminalSafe(outcome.nextStep)]),
    ...notes,
  ].join("\n");
}

export interface RebuildCommandOptions {
  /** The platform stack (environment) to rebuild. */
  readonly environment: string;
  /** `--act`: acts only together with LOCO_RESURRECTOR_ACT=true. */
  readonly act: boolean;
  /** loco's database. */
  readonly databaseUrl: string;
  /** A kubeconfig of the new cluster, instead of fetching it from DigitalOcean. */
  readonly kubeconfigPaths?: readonly string[];
  /** loco's cluster whose apps are replayed; by default loco's default cluster. */
  readonly cluster?: string;
  /** The replay's mode. */
  readonly mode: ReplayMode;
  /** Apps replayed at once. */
  readonly concurrency: number;
  /** Print the outcome as JSON. */
  readonly json: boolean;
}

export interface RebuildCommandIo {
  /** Progress lines, as they happen. @default process.stderr */
  readonly log?: (line: string) => void;
  /** The project whose program converge runs. @default this repository */
  readonly workDir?: string;
}

const exitCodes: Record<RebuildOutcome["status"], number> = { succeeded: 0, "dry-run": 0, failed: 1, refused: refusedExitCode };

export async function rebuildCommand(
  options: RebuildCommandOptions,
  env: NodeJS.ProcessEnv,
  io: RebuildCommandIo = {},
): Promise<CommandResult> {
  const log = io.log ?? ((line: string) => void process.stderr.write(`${terminalSafe(line)}\n`));
  const act = options.act && env[actVariable] === "true";
  const notes: string[] = [];
  if (options.act && !act) notes.push(`--act was given but ${actVariable} is not "true": dry run`);
  if (!options.act && env[actVariable] === "true") notes.push(`${actVariable}=true but --act was not given: dry run`);

  if (act && !options.kubeconfigPaths && !env.DIGITALOCEAN_TOKEN) {
    return failure(
      usageExitCode,
      "resurrector rebuild: --act needs DIGITALOCEAN_TOKEN (to fetch the new cluster's kubeconfig) or --kubeconfig",
    );
  }
  let rebuilder;
  try {
    rebuilder = createRebuilder(
      rebuilderDepsFromEnvironment(env, {
        databaseUrl: options.databaseUrl,
        kubeconfigPaths: options.kubeconfigPaths,
        requireClusterAccess: act,
        log,
        workDir: io.workDir,
        replay: { mode: options.mode, concurrency: options.concurrency, locoCluster: options.cluster },
      }),
    );
  } catch (error) {
    if (!(error instanceof RebuilderSetupError)) throw error;
    return failure(refusedExitCode, `resurrector rebuild: ${error.message}\nNothing was changed.`);
  }
  for (const note of notes) log(`rebuild: ${note}`);
  const outcome = await rebuilder({
    stack: options.environment,
    reason: "rebuild requested by hand (resurrector rebuild)",
    evidence: { command: "rebuild", act },
    act,
  });
  const code = exitCodes[outcome.status];
  const text = options.json ? stableJson({ ...outcome, act, notes }) : rebuildOutcomeText(options.environment, outcome, notes);
  // JSON always goes to stdout (a script parses it); text goes to stderr when the rebuild did not succeed.
  return options.json || code === 0 ? { code, stdout: text, stderr: "" } : failure(code, text);
}

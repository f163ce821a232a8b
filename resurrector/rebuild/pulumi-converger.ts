/**
 * Phase 1 of a rebuild, converge: this project's program run through Pulumi's Automation API on the stack named
 * after the environment. It raises `loco:cluster.generation` (so the new cluster is built beside the dead one,
 * components/cluster.ts) from the larger of this working copy's value and the generation the stack last deployed
 * (its `cluster.generation` output: a fresh container's copy of the stack file may be behind an earlier rebuild), hands the preserved platform certificate back through `loco:preservedCertificates`
 * (docs/traffic.md, "Certificates": the platform then creates its Secret before its Certificate), refreshes, then
 * runs `up`, both with LOCO_DELETE_UNREACHABLE=true and PULUMI_K8S_DELETE_UNREACHABLE=true so the dead cluster's
 * objects are dropped from state instead of failing the run (stacks/config.ts reads both).
 *
 * The Automation API drives the `pulumi` CLI: {@link pulumiConverger} checks first that the CLI is there and new
 * enough (stacks/engine-version.ts), and says so in one line otherwise, before any other command runs.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import type { PreservedCertificates } from "../../lib/public-certificate";
import { clusterOutputName, deployedGeneration } from "../../stacks/cluster-generation-guard";
import { runEnvironmentVariables } from "../../stacks/config";
import { minimumPulumiVersion } from "../../stacks/engine-version";

/** The config key, as `pulumi config set --path` takes it. */
export const generationConfigKey = "loco:cluster.generation";
export const preservedCertificatesConfigKey = "loco:preservedCertificates";

export interface ConvergeReport {
  /** The generation the stack was converged to. */
  readonly generation: number;
  /** Platform certificates handed to the program through config. */
  readonly preservedCertificates: readonly string[];
  readonly refresh: { readonly result: string; readonly durationMs: number };
  readonly up: { readonly result: string; readonly durationMs: number; readonly resourceChanges: Readonly<Record<string, number>> };
}

export interface PlatformConverger {
  /** Throws a {@link PulumiCliError} when the converger cannot work (no CLI, too old); changes nothing. */
  preflight(): Promise<void>;
  /**
   * The generation the stack is at: the larger of its `loco:cluster.generation` in this working copy (1 when the
   * stack file leaves it to the default) and the one its last run deployed (the `cluster.generation` output).
   * Changes nothing.
   */
  currentGeneration(stack: string): Promise<number>;
  /** Sets the generation (and the preserved certificates), refreshes, runs `up`. Idempotent for one generation. */
  converge(
    stack: string,
    args: {
      readonly generation: number;
      readonly preservedCertificates: PreservedCertificates;
      readonly onOutput?: (line: string) => void;
    },
  ): Promise<ConvergeReport>;
}

/** The Pulumi CLI is missing, too old, or a command failed: one line, no stack trace. */
export class PulumiCliError extends Error {
  override readonly name = "PulumiCliError";
}

export interface PulumiConvergerOptions {
  /** The project's root (Pulumi.yaml): the Automation API's workDir. */
  readonly workDir: string;
  /** A Pulumi installation whose CLI is `<root>/bin/pulumi`; by default `pulumi` on the PATH. */
  readonly pulumiRoot?: string;
}

/** The last meaningful line of a failed command's output: the CLI's own error, without the wrapper's dump. */
function commandFailure(error: unknown): string {
  const stderr = (error as { commandResult?: { stderr?: string } }).commandResult?.stderr ?? (error as Error).message ?? String(error);
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^(code|stdout|stderr|err\?):/.test(line));
  const line = lines.find((l) => /^error:/i.test(l)) ?? lines.at(-1) ?? "no output";
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** The CLI, checked: present and at least {@link minimumPulumiVersion}. */
export async function requirePulumiCli(pulumiRoot?: string): Promise<PulumiCommand> {
  const where = pulumiRoot ? `${pulumiRoot}/bin/pulumi` : "pulumi on the PATH";
  let command: PulumiCommand;
  try {
    command = await PulumiCommand.get({ ...(pulumiRoot ? { root: pulumiRoot } : {}), skipVersionCheck: true });
  } catch (error) {
    const cause = (error as { commandResult?: { err?: { code?: string } } }).commandResult?.err?.code;
    throw new PulumiCliError(
      cause === "ENOENT"
        ? `the Pulumi CLI was not found (${where}): a rebuild needs Pulumi CLI ${minimumPulumiVersion} or newer (https://www.pulumi.com/docs/install/)`
        : `the Pulumi CLI (${where}) did not answer \`pulumi version\`: ${commandFailure(error)}`,
    );
  }
  if (!command.version) throw new PulumiCliError(`the Pulumi CLI (${where}) reported a version that is not semver`);
  if (command.version.compare(minimumPulumiVersion) < 0) {
    throw new PulumiCliError(
      `the Pulumi CLI (${where}) is ${command.version.version}; a rebuild needs ${minimumPulumiVersion} or newer ` +
        "(older engines ignore replacementTrigger, stacks/engine-version.ts): upgrade it",
    );
  }
  return command;
}

/** Splits the CLI's output chunks into whole lines. */
function lineSplitter(onLine: (line: string) => void): { write: (chunk: string) => void; flush: () => void } {
  let pending = "";
  return {
    write: (chunk) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") onLine(line.trimEnd());
    },
    flush: () => {
      if (pending.trim() !== "") onLine(pending.trimEnd());
      pending = "";
    },
  };
}

/**
 * The stack's `loco:cluster.generation` in this working copy of the project: 1 when the stack file leaves it to the
 * default (stacks/config-defaults.ts).
 */
async function configuredGeneration(selected: Stack, stack: string): Promise<number> {
  let value: string;
  try {
    value = (await selected.getConfig(generationConfigKey, true)).value;
  } catch (error) {
    if (/not found|does not exist/i.test(commandFailure(error))) return 1;
    throw new PulumiCliError(`cannot read ${generationConfigKey} of stack ${stack}: ${commandFailure(error)}`);
  }
  const generation = Number(value);
  if (!Number.isInteger(generation) || generation < 1) {
    throw new PulumiCliError(
      `${generationConfigKey} of stack ${stack} is ${JSON.stringify(value.slice(0, 20))}, not a whole number from 1`,
    );
  }
  return generation;
}

/**
 * The generation the stack's last run deployed (its `cluster.generation` output, stacks/cluster-generation-guard.ts);
 * 0 when it has none. This container's copy of the stack file may be older than the backend: a rebuild from a fresh
 * container still reads the repository's generation while an earlier rebuild already deployed a later one.
 */
async function lastDeployedGeneration(selected: Stack, stack: string): Promise<number> {
  let outputs: Awaited<ReturnType<Stack["outputs"]>>;
  try {
    outputs = await selected.outputs();
  } catch (error) {
    throw new PulumiCliError(`cannot read the outputs of stack ${stack}: ${commandFailure(error)}`);
  }
  const cluster = outputs[clusterOutputName];
  try {
    return (
      deployedGeneration(cluster === undefined ? undefined : cluster.secret ? { secretValue: cluster.value } : { value: cluster.value }) ??
      0
    );
  } catch (error) {
    throw new PulumiCliError(`stack ${stack}: ${(error as Error).message}`);
  }
}

export function pulumiConverger(options: PulumiConvergerOptions): PlatformConverger {
  let cli: Promise<PulumiCommand> | undefined;
  const command = () => (cli ??= requirePulumiCli(options.pulumiRoot));

  async function select(stack: string): Promise<Stack> {
    const pulumiCommand = await command();
    try {
      return await LocalWorkspace.selectStack(
        { stackName: stack, workDir: options.workDir },
        {
          pulumiCommand,
          // For this workspace's commands only, never the resurrector's own environment: a rebuild may drop the dead
          // cluster's objects from state (stacks/config.ts refuses one of the two without the other).
          envVars: { [runEnvironmentVariables.deleteUnreachable]: "true", [runEnvironmentVariables.providerDeleteUnreachable]: "true" },
        },
      );
    } catch (error) {
      throw new PulumiCliError(`cannot select stack ${stack} in ${options.workDir}: ${commandFailure(error)}`);
    }
  }

  return {
    preflight: async () => {
      await command();
    },

    currentGeneration: async (stack) => {
      const selected = await select(stack);
      return Math.max(await configuredGeneration(selected, stack), await lastDeployedGeneration(selected, stack));
    },

    converge: async (stack, args) => {
      const selected = await select(stack);
      const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
        try {
          return await run();
        } catch (error) {
          throw new PulumiCliError(`${what} of stack ${stack} failed: ${commandFailure(error)}`);
        }
      };
      await step(`setting ${generationConfigKey}`, () =>
        selected.setConfig(generationConfigKey, { value: String(args.generation), secret: false }, true),
      );
      const certificateNames = Object.keys(args.preservedCertificates).sort();
      if (certificateNames.length > 0) {
        await step(`setting ${preservedCertificatesConfigKey}`, () =>
          selected.setConfig(preservedCertificatesConfigKey, { value: JSON.stringify(args.preservedCertificates), secret: true }),
        );
      }
      const output = lineSplitter((line) => args.onOutput?.(line));
      const timed = async <T>(what: string, run: () => Promise<T>) => {
        const started = performance.now();
        try {
          const result = await step(what, run);
          return { result, durationMs: Math.round(performance.now() - started) };
        } finally {
          output.flush();
        }
      };
      const refresh = await timed("refresh", () => selected.refresh({ onOutput: output.write, onError: output.write }));
      const up = await timed("up", () => selected.up({ onOutput: output.write, onError: output.write }));
      return {
        generation: args.generation,
        preservedCertificates: certificateNames,
        refresh: { result: refresh.result.summary?.result ?? "unknown", durationMs: refresh.durationMs },
        up: {
          result: up.result.summary?.result ?? "unknown",
          durationMs: up.durationMs,
          resourceChanges: { ...(up.result.summary?.resourceChanges ?? {}) },
        },
      };
    },
  };
}

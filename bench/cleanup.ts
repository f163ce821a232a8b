/**
 * Cleanup that happens however a benchmark ends: finished, failed, Ctrl-C (SIGINT) or SIGTERM. A benchmark
 * registers what it creates (temporary directories, database servers, child processes) as it creates it, and the
 * steps run newest first. Benchmarks run under plain `node --import tsx` (not the tsx CLI, which SIGKILLs a child
 * that does not acknowledge a signal within 30 ms), and yield between blocking steps ({@link yieldToSignals}) so
 * a signal is handled within one step.
 */
import { spawn, type SpawnOptions } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";

type Step = () => void | Promise<void>;

export class Cleanup {
  private readonly steps: Step[] = [];

  /** Registers `step`; returns a function that unregisters it (the thing it cleans up went away by itself). */
  add(step: Step): () => void {
    this.steps.push(step);
    return () => {
      const index = this.steps.indexOf(step);
      if (index >= 0) this.steps.splice(index, 1);
    };
  }

  /** A fresh directory under the system temp dir, removed at the end. */
  temporaryDirectory(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.add(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Runs every registered step, newest first; one that fails is reported and does not stop the others. */
  async run(): Promise<void> {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`cleanup step failed: ${(error as Error).message}\n`);
      }
    }
  }
}

/**
 * Runs `work` with a {@link Cleanup} that runs when `work` settles, or on SIGINT/SIGTERM, after which the process
 * exits with 128 + the signal's number (130 for Ctrl-C), as a shell reports a process killed by it.
 */
export async function withCleanup<T>(work: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  let interrupted: Promise<never> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping, removing what the benchmark created...\n`);
    interrupted ??= cleanup.run().then(() => process.exit(128 + constants.signals[signal]));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const outcome = await work(cleanup).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  // Interrupted: whatever the work did next (a query failing because its server stopped) is not the story; exit
  // once the cleanup is done.
  if (interrupted) await interrupted;
  await cleanup.run();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

/** Lets pending signal handlers run: call between steps of work that blocks the event loop (chdb queries). */
export const yieldToSignals = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ChildOutput {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a child process to completion without blocking the event loop; an interrupted benchmark kills it. */
export function runChild(cleanup: Cleanup, command: string, args: readonly string[], options: SpawnOptions = {}): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    const forget = cleanup.add(() => {
      child.kill("SIGTERM");
    });
    child.on("error", (error) => {
      forget();
      reject(error);
    });
    child.on("close", (status) => {
      forget();
      resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}

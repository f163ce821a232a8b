/**
 * The repository's GitHub Actions files, read for the workflow rules: every workflow in .github/workflows and every
 * local composite action in .github/actions/<name>/action.yml, with the steps a job runs once its local actions are
 * expanded (what a job does is what the rules judge, wherever the step is written).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
  readonly if?: unknown;
}

export interface Job {
  readonly name?: string;
  readonly permissions?: unknown;
  readonly environment?: unknown;
  readonly concurrency?: unknown;
  readonly strategy?: { readonly matrix?: unknown };
  readonly env?: Readonly<Record<string, unknown>>;
  readonly steps?: readonly Step[];
  /** A job that calls a reusable workflow. */
  readonly uses?: string;
}

export interface Workflow {
  readonly on?: unknown;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly env?: Readonly<Record<string, unknown>>;
  readonly jobs?: Readonly<Record<string, Job>>;
}

export interface WorkflowFile {
  /** Relative to the project, e.g. `.github/workflows/deploy.yml`. */
  readonly path: string;
  readonly text: string;
  readonly workflow: Workflow;
}

export interface LocalAction {
  /** As a step refers to it: `./.github/actions/<name>`. */
  readonly ref: string;
  /** Relative to the project. */
  readonly path: string;
  readonly text: string;
  readonly steps: readonly Step[];
}

export interface DeliveryFiles {
  readonly workflows: readonly WorkflowFile[];
  readonly actions: ReadonlyMap<string, LocalAction>;
}

export const workflowsDir = join(".github", "workflows");
export const actionsDir = join(".github", "actions");

const isYaml = (name: string) => name.endsWith(".yml") || name.endsWith(".yaml");

export function parseWorkflowFile(path: string, text: string): WorkflowFile {
  return { path, text, workflow: (parse(text) ?? {}) as Workflow };
}

export function parseLocalAction(ref: string, path: string, text: string): LocalAction {
  const document = (parse(text) ?? {}) as { runs?: { steps?: Step[] } };
  return { ref, path, text, steps: document.runs?.steps ?? [] };
}

export function loadDeliveryFiles(projectDir: string): DeliveryFiles {
  const workflowDir = join(projectDir, workflowsDir);
  const workflows = existsSync(workflowDir)
    ? readdirSync(workflowDir)
        .filter(isYaml)
        .sort()
        .map((name) => parseWorkflowFile(join(workflowsDir, name), readFileSync(join(workflowDir, name), "utf8")))
    : [];
  const actions = new Map<string, LocalAction>();
  const actionDir = join(projectDir, actionsDir);
  for (const name of existsSync(actionDir) ? readdirSync(actionDir).sort() : []) {
    const file = ["action.yml", "action.yaml"].map((f) => join(actionsDir, name, f)).find((f) => existsSync(join(projectDir, f)));
    if (file)
      actions.set(
        `./.github/actions/${name}`,
        parseLocalAction(`./.github/actions/${name}`, file, readFileSync(join(projectDir, file), "utf8")),
      );
  }
  return { workflows, actions };
}

/** A job's steps with each local composite action replaced by its own steps (recursively). */
export function expandedSteps(
  steps: readonly Step[],
  actions: ReadonlyMap<string, LocalAction>,
  seen: ReadonlySet<string> = new Set(),
): Step[] {
  return steps.flatMap((step) => {
    const local = step.uses !== undefined ? actions.get(step.uses.replace(/\/$/, "")) : undefined;
    if (!local || seen.has(local.ref)) return [step];
    return [step, ...expandedSteps(local.steps, actions, new Set([...seen, local.ref]))];
  });
}

/** The event names a workflow runs on. */
export function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === "object" ? Object.keys(on) : [];
}

/**
 * Stack names as Pulumi accepts them, checked wherever one comes in (a command line, a test, a caller), because a
 * stack name becomes a path: `Pulumi.<stack>.yaml`, which `rotate` rewrites, and `out/plan/<stack>/`, which `plan`
 * clears and writes. Pulumi's rule (pkg/backend, `stackNameAndProjectRegexp`): 1 to 100 of letters, digits, `-`,
 * `_` and `.`; a stack may be named `<owner>/<stack>` or `<owner>/<project>/<stack>`, and its config file is
 * always `Pulumi.<stack>.yaml` with the bare name.
 */
import { readdirSync } from "node:fs";

const namePattern = /^[A-Za-z0-9_.-]{1,100}$/;
/** Pulumi's rule for organization and user names. */
const ownerPattern = /^[a-zA-Z0-9][a-zA-Z0-9_-]{1,38}[a-zA-Z0-9]$/;
const rule = "1 to 100 letters, digits, '-', '_' or '.'";

export class StackNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackNameError";
  }
}

export interface StackReference {
  readonly owner?: string;
  readonly project?: string;
  /** The bare stack name: what `Pulumi.<stack>.yaml` is named after. */
  readonly stack: string;
}

/** Why `name` is not a bare stack name Pulumi accepts, or undefined when it is one. */
export function stackNameProblem(name: string): string | undefined {
  if (!namePattern.test(name)) return `stack name ${JSON.stringify(name)} is not one Pulumi accepts: ${rule}`;
  // Pulumi's pattern lets these through, but as a path they name a folder, not a stack's own file or directory.
  if (/^\.+$/.test(name)) return `stack name ${JSON.stringify(name)} is only dots: it would name a folder, not a stack`;
  return undefined;
}

/** Throws a {@link StackNameError} unless `name` is a bare stack name Pulumi accepts. */
export function assertStackName(name: string): string {
  const problem = stackNameProblem(name);
  if (problem) throw new StackNameError(problem);
  return name;
}

/** `dev`, `acme/dev` or `acme/loco-platform/dev`, as Pulumi reads a stack argument; throws a {@link StackNameError}. */
export function parseStackReference(text: string): StackReference {
  const parts = text.split("/");
  if (parts.length > 1 && parts.some((part) => /^\.*$/.test(part))) {
    throw new StackNameError(
      `stack ${JSON.stringify(text)} looks like a path: name a stack as <stack>, <owner>/<stack> or <owner>/<project>/<stack>`,
    );
  }
  if (parts.length > 3) {
    throw new StackNameError(`stack ${JSON.stringify(text)} has too many parts: use <stack>, <owner>/<stack> or <owner>/<project>/<stack>`);
  }
  const stack = assertStackName(parts[parts.length - 1]);
  const owner = parts.length > 1 ? parts[0] : undefined;
  const project = parts.length === 3 ? parts[1] : undefined;
  if (owner !== undefined && !ownerPattern.test(owner)) {
    throw new StackNameError(
      `stack owner ${JSON.stringify(owner)} is not one Pulumi accepts: 3 to 40 letters, digits, '-' or '_', starting and ending alphanumeric`,
    );
  }
  if (project !== undefined && !namePattern.test(project)) {
    throw new StackNameError(`project name ${JSON.stringify(project)} is not one Pulumi accepts: ${rule}`);
  }
  return { owner, project, stack };
}

/** The stacks of the project at `projectDir`: every Pulumi.<stack>.yaml with a name Pulumi accepts, sorted. */
export function existingStacks(projectDir: string): string[] {
  return readdirSync(projectDir)
    .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
    .filter((stack): stack is string => stack !== undefined && stackNameProblem(stack) === undefined)
    .sort();
}

/** "its stacks: dev, local, prod", for a message about a stack that does not exist. */
export function stacksHint(projectDir: string): string {
  const stacks = existingStacks(projectDir);
  return stacks.length > 0 ? `its stacks: ${stacks.join(", ")}` : "it has no stack files";
}

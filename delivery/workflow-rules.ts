/**
 * The project's rules for its GitHub workflows, as code (docs/delivery.md says why each exists). They run in
 * `npm test` on the real files, and each has a test that breaks a real workflow so that the rule fires.
 */
import { githubEnvironments, productionEnvironments, type GithubEnvironment } from "./github-environments";
import { expandedSteps, triggers, type DeliveryFiles, type Job, type Step, type WorkflowFile } from "./workflow-files";

export interface RuleViolation {
  readonly rule: string;
  /** Relative path of the workflow or action. */
  readonly file: string;
  readonly job?: string;
  readonly message: string;
}

export const formatRuleViolation = (v: RuleViolation) => `${v.rule}: ${v.file}${v.job ? ` job ${v.job}` : ""}: ${v.message}`;

const fullSha = /^[0-9a-f]{40}$/;

/** Every `uses:` of a file with the raw line it is on (for its version comment). */
function usesLines(text: string): { readonly uses: string; readonly line: string; readonly lineNumber: number }[] {
  return text.split("\n").flatMap((line, i) => {
    const match = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?/.exec(line);
    return match ? [{ uses: match[1], line, lineNumber: i + 1 }] : [];
  });
}

/** Third-party actions (and reusable workflows) at a full commit SHA, the version in a trailing comment. */
export function actionsPinned(files: DeliveryFiles): RuleViolation[] {
  const sources = [
    ...files.workflows.map((w) => ({ path: w.path, text: w.text })),
    ...[...files.actions.values()].map((a) => ({ path: a.path, text: a.text })),
  ];
  return sources.flatMap(({ path, text }) =>
    usesLines(text).flatMap(({ uses, line, lineNumber }): RuleViolation[] => {
      const where = `line ${lineNumber}: uses ${uses}`;
      if (uses.startsWith("./")) return [];
      if (uses.startsWith("docker://"))
        return /@sha256:[0-9a-f]{64}$/.test(uses)
          ? []
          : [{ rule: "actions-pinned", file: path, message: `${where} is not pinned to an image digest (@sha256:...)` }];
      const ref = uses.split("@")[1];
      if (ref === undefined || !fullSha.test(ref))
        return [{ rule: "actions-pinned", file: path, message: `${where} is not pinned to a full 40-character commit SHA` }];
      if (!/#\s*v?\d[\w.-]*\s*$/.test(line))
        return [{ rule: "actions-pinned", file: path, message: `${where} has no trailing comment naming the version it is (# v1.2.3)` }];
      return [];
    }),
  );
}

const isEmptyMap = (value: unknown) => !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;

/** `permissions: {}` at the top: a job gets nothing it does not ask for. */
export function topLevelPermissionsEmpty(files: DeliveryFiles): RuleViolation[] {
  return files.workflows
    .filter((w) => !isEmptyMap(w.workflow.permissions))
    .map((w) => ({
      rule: "top-level-permissions-empty",
      file: w.path,
      message: `top-level permissions must be {} (each job declares its own), not ${JSON.stringify(w.workflow.permissions ?? "(unset: the repository default)")}`,
    }));
}

type Access = "read" | "write";
const rank: Record<string, number> = { none: 0, read: 1, write: 2 };

const runText = (steps: readonly Step[]) => steps.map((s) => s.run ?? "").join("\n");
const usesAction = (steps: readonly Step[], action: string) => steps.some((s) => s.uses?.startsWith(`${action}@`));

/** What a job's steps need from GITHUB_TOKEN (and OIDC), and why. */
export function neededPermissions(steps: readonly Step[]): Map<string, { readonly access: Access; readonly why: string }> {
  const needs = new Map<string, { access: Access; why: string }>();
  const run = runText(steps);
  if (/\bgit\s+push\b/.test(run)) needs.set("contents", { access: "write", why: "it runs git push" });
  else if (usesAction(steps, "actions/checkout")) needs.set("contents", { access: "read", why: "it checks out the repository" });
  if (usesAction(steps, "pulumi/auth-actions")) needs.set("id-token", { access: "write", why: "it logs in to Pulumi Cloud through OIDC" });
  if (/\bgh\s+pr\s+(comment|review|edit)\b|\bgh\s+api\b[^\n]*\/issues\/\$PR\//.test(run))
    needs.set("pull-requests", { access: "write", why: "it comments on the pull request" });
  if (/\bgh\s+(issue|label)\s/.test(run)) needs.set("issues", { access: "write", why: "it opens, comments on or closes issues" });
  if (steps.some((s) => s.uses?.startsWith("docker/login-action@") && String(s.with?.registry ?? "") === "ghcr.io"))
    needs.set("packages", { access: "write", why: "it pushes to ghcr.io" });
  return needs;
}

/** Each job declares its permissions, and asks for exactly what its steps need. */
export function jobPermissionsMinimal(files: DeliveryFiles): RuleViolation[] {
  return files.workflows.flatMap((w) =>
    Object.entries(w.workflow.jobs ?? {}).flatMap(([id, job]): RuleViolation[] => {
      const fail = (message: string): RuleViolation => ({ rule: "job-permissions-minimal", file: w.path, job: id, message });
      const granted = job.permissions;
      if (granted === undefined) return [fail("declares no permissions (it would get the repository default)")];
      if (!granted || typeof granted !== "object" || Array.isArray(granted))
        return [fail(`permissions must list scopes, not ${JSON.stringify(granted)}`)];
      const needs = neededPermissions(expandedSteps(job.steps ?? [], files.actions));
      const problems: RuleViolation[] = [];
      for (const [scope, level] of Object.entries(granted as Record<string, unknown>)) {
        const need = needs.get(scope);
        if (!(String(level) in rank)) problems.push(fail(`${scope}: ${String(level)} is not read, write or none`));
        else if (rank[String(level)] > rank[need?.access ?? "none"])
          problems.push(
            fail(`${scope}: ${String(level)} is more than it needs (${need ? `${need.access}: ${need.why}` : "no step uses it"})`),
          );
      }
      for (const [scope, need] of needs) {
        const level = String((granted as Record<string, unknown>)[scope] ?? "none");
        if ((rank[level] ?? 0) < rank[need.access]) problems.push(fail(`needs ${scope}: ${need.access} because ${need.why}`));
      }
      return problems;
    }),
  );
}

/** Commands that change a stack's state or its cloud resources. */
const mutatingCommand =
  /\bpulumi\s+(up|destroy|import|cancel|state|stack\s+rm)\b|\bpulumi\s+refresh\b(?![^\n]*--preview-only)|\bnpm\s+run\s+rotate\b/;

export const isMutatingJob = (job: Job, files: DeliveryFiles) =>
  mutatingCommand.test(runText(expandedSteps(job.steps ?? [], files.actions)));

const stackGroupPrefix = "pulumi-stack-";

function concurrencyOf(value: unknown): { readonly group?: string; readonly cancelInProgress?: unknown } | undefined {
  if (typeof value === "string") return { group: value };
  if (!value || typeof value !== "object") return undefined;
  const c = value as Record<string, unknown>;
  return { group: typeof c.group === "string" ? c.group : undefined, cancelInProgress: c["cancel-in-progress"] };
}

/**
 * A job that changes a stack holds that stack's group (`pulumi-stack-${{ matrix.stack }}`), shared by every
 * workflow, and never cancels a running one. A read-only job stays out of those groups: GitHub keeps one pending
 * job per group and cancels the older, so a preview could otherwise replace a queued `up`. A workflow that changes
 * stacks must not cancel its previous runs as a whole.
 */
export function stackConcurrency(files: DeliveryFiles): RuleViolation[] {
  return files.workflows.flatMap((w) => {
    const jobs = Object.entries(w.workflow.jobs ?? {});
    const mutating = jobs.filter(([, job]) => isMutatingJob(job, files));
    const violations: RuleViolation[] = [];
    const workflowLevel = concurrencyOf(w.workflow.concurrency);
    if (mutating.length > 0 && workflowLevel && workflowLevel.cancelInProgress !== false && workflowLevel.cancelInProgress !== undefined)
      violations.push({
        rule: "stack-concurrency",
        file: w.path,
        message: `workflow-level concurrency cancels in progress, which would cancel a running pulumi up (jobs ${mutating.map(([id]) => id).join(", ")})`,
      });
    for (const [id, job] of jobs) {
      const fail = (message: string) => violations.push({ rule: "stack-concurrency", file: w.path, job: id, message });
      const concurrency = concurrencyOf(job.concurrency);
      const inStackGroup = concurrency?.group?.startsWith(stackGroupPrefix) ?? false;
      if (!mutating.some(([m]) => m === id)) {
        if (inStackGroup)
          fail(`only jobs that change a stack may hold ${concurrency?.group}: a read-only job there could displace a queued up`);
        continue;
      }
      if (!concurrency?.group) fail(`changes a stack but has no concurrency group: two runs on one stack could overlap`);
      else if (!/^pulumi-stack-\$\{\{\s*matrix\.stack\s*\}\}$/.test(concurrency.group))
        fail(
          `concurrency group ${concurrency.group} must be pulumi-stack-\${{ matrix.stack }}, the group every workflow uses for that stack`,
        );
      if (concurrency?.group && concurrency.cancelInProgress !== false)
        fail(`cancel-in-progress must be false: cancelling a running up can leave the stack locked and half-applied`);
    }
    return violations;
  });
}

const environmentName = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : value && typeof value === "object"
      ? ((value as { name?: unknown }).name as string | undefined)
      : undefined;

/** The stack environment a job's matrix comes from: `fromJSON(needs.stacks.outputs.<environment>)`. */
function matrixEnvironment(job: Job): string | undefined {
  const matrix = job.strategy?.matrix;
  const stack = matrix && typeof matrix === "object" ? (matrix as Record<string, unknown>).stack : undefined;
  return typeof stack === "string" ? /outputs\.([A-Za-z0-9_-]+)\s*\)/.exec(stack)?.[1] : undefined;
}

/**
 * Jobs run in the GitHub environment that matches what they do: a job that changes a stack in a `deploy` environment
 * serving that stack's environment (prod's requires reviewers); any other job that reads a stack in one serving it;
 * and on pull requests only `read` environments, so a pull request's code never holds credentials that can write.
 */
export function environmentBinding(
  files: DeliveryFiles,
  environments: Readonly<Record<string, GithubEnvironment>> = githubEnvironments,
  production: readonly string[] = productionEnvironments,
): RuleViolation[] {
  return files.workflows.flatMap((w) => {
    const onPullRequest = triggers(w.workflow).some((t) => t.startsWith("pull_request"));
    return Object.entries(w.workflow.jobs ?? {}).flatMap(([id, job]): RuleViolation[] => {
      const fail = (message: string): RuleViolation => ({ rule: "environment-binding", file: w.path, job: id, message });
      const name = environmentName(job.environment);
      const declared = name !== undefined ? environments[name] : undefined;
      const target = matrixEnvironment(job);
      const mutating = isMutatingJob(job, files);
      const problems: RuleViolation[] = [];
      if (name !== undefined && !declared) return [fail(`environment ${name} is not declared in delivery/github-environments.ts`)];
      if (mutating) {
        if (!target) problems.push(fail("changes a stack but its matrix does not come from needs.stacks.outputs.<environment>"));
        if (!declared) problems.push(fail(`changes ${target ?? "a"} stack without a GitHub environment: no approval, no scoped secrets`));
        else if (declared.access !== "deploy") problems.push(fail(`changes a stack from ${name}, a read-only environment`));
        if (target && production.includes(target) && declared && !declared.requiredReviewers)
          problems.push(fail(`changes ${target} stacks from ${name}, which does not require reviewers`));
      }
      if (declared && target && declared.serves !== target)
        problems.push(fail(`runs ${target} stacks in ${name}, which serves ${declared.serves}`));
      if (onPullRequest && declared?.access === "deploy") problems.push(fail(`a pull request's code runs in ${name}, which can deploy`));
      return problems;
    });
  });
}

/** `${{ secrets.X }}` or `toJSON(secrets)`, but not the job's own GITHUB_TOKEN. */
const secretReference = /\$\{\{[^}]*\bsecrets\b(?!\.GITHUB_TOKEN\b)[^}]*\}\}/;

/** Secrets come from GitHub environments, so only jobs bound to one reference them; never the whole workflow. */
export function secretsNeedEnvironment(files: DeliveryFiles): RuleViolation[] {
  return files.workflows.flatMap((w) => {
    const violations: RuleViolation[] = [];
    if (secretReference.test(JSON.stringify(w.workflow.env ?? {})))
      violations.push({
        rule: "secrets-need-environment",
        file: w.path,
        message: "workflow-level env references secrets: every job would get them",
      });
    for (const [id, job] of Object.entries(w.workflow.jobs ?? {})) {
      if (secretReference.test(JSON.stringify(job)) && environmentName(job.environment) === undefined)
        violations.push({
          rule: "secrets-need-environment",
          file: w.path,
          job: id,
          message: "references secrets but runs in no GitHub environment",
        });
    }
    return violations;
  });
}

/** `pull_request_target` runs with the base repository's secrets and write token: never here. */
export function noPullRequestTarget(files: DeliveryFiles): RuleViolation[] {
  return files.workflows
    .filter((w: WorkflowFile) => triggers(w.workflow).includes("pull_request_target"))
    .map((w) => ({
      rule: "no-pull-request-target",
      file: w.path,
      message: "runs on pull_request_target, which hands a pull request the repository's secrets",
    }));
}

export const workflowRules = [
  actionsPinned,
  topLevelPermissionsEmpty,
  jobPermissionsMinimal,
  stackConcurrency,
  environmentBinding,
  secretsNeedEnvironment,
  noPullRequestTarget,
];

export const checkWorkflowRules = (files: DeliveryFiles): RuleViolation[] => workflowRules.flatMap((rule) => rule(files));

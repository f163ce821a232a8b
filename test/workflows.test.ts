/**
 * The GitHub workflows, checked offline so a broken one fails here and not on GitHub: GitHub's own parser
 * (@actions/workflow-parser) on every workflow and local action, then the project's rules (delivery/workflow-rules.ts).
 * Each rule is shown to fire on a real workflow broken the way the rule guards against: the fixtures are edits of the
 * committed files, so they cannot drift from them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { githubEnvironmentFor, githubEnvironments, productionEnvironments } from "../delivery/github-environments";
import { secretNameForConfigKey } from "../delivery/stack-secrets";
import { deployedStacksByEnvironment, listStacks } from "../delivery/stacks";
import { actionSchemaErrors, workflowSchemaErrors } from "../delivery/validate-workflow";
import {
  loadDeliveryFiles,
  parseLocalAction,
  parseWorkflowFile,
  type DeliveryFiles,
  type Job,
  type WorkflowFile,
} from "../delivery/workflow-files";
import { checkWorkflowRules, environmentBinding, formatRuleViolation, isMutatingJob, type RuleViolation } from "../delivery/workflow-rules";
import { rotatingCredentialNames } from "../stacks/rotating-credentials";
import { projectDir } from "./harness";

const files = loadDeliveryFiles(projectDir);
const workflowPath = (name: string) => join(".github", "workflows", name);

function workflow(name: string): WorkflowFile {
  const found = files.workflows.find((w) => w.path === workflowPath(name));
  assert.ok(found, `no workflow ${name}`);
  return found;
}

/**
 * The committed files with one edit: `from` replaced by `to` in `file`, inside job `job` when given (the first
 * occurrence after the job's key). The edit must apply, so a fixture cannot silently stop breaking anything.
 */
function broken(file: string, from: string, to: string, job?: string): DeliveryFiles {
  const isAction = file.includes(join(".github", "actions"));
  const text = isAction
    ? [...files.actions.values()].find((a) => a.path === file)?.text
    : files.workflows.find((w) => w.path === file)?.text;
  assert.ok(text !== undefined, `no file ${file}`);
  const start = job === undefined ? 0 : text.indexOf(`\n  ${job}:\n`);
  assert.ok(start >= 0, `no job ${String(job)} in ${file}`);
  const at = text.indexOf(from, start);
  assert.ok(at >= 0, `"${from}" is not in ${file}${job ? ` after job ${job}` : ""}`);
  const edited = text.slice(0, at) + to + text.slice(at + from.length);
  if (isAction) {
    const actions = new Map(files.actions);
    const original = [...files.actions.values()].find((a) => a.path === file);
    assert.ok(original);
    actions.set(original.ref, parseLocalAction(original.ref, file, edited));
    return { workflows: files.workflows, actions };
  }
  return { workflows: files.workflows.map((w) => (w.path === file ? parseWorkflowFile(file, edited) : w)), actions: files.actions };
}

/** The violations of `rule` in a broken copy; the test asserts one names the job and says why. */
function assertFires(violations: readonly RuleViolation[], rule: string, file: string, job: string | undefined, message: RegExp): void {
  const hit = violations.find((v) => v.rule === rule && v.file === file && v.job === job && message.test(v.message));
  assert.ok(
    hit,
    `${rule} did not fire on ${file}${job ? ` job ${job}` : ""} with ${String(message)}; got:\n${violations.map(formatRuleViolation).join("\n")}`,
  );
}

const deploy = workflowPath("deploy.yml");
const rotation = workflowPath("rotation.yml");
const drift = workflowPath("drift.yml");
const pullRequest = workflowPath("pull-request.yml");
const pulumiStackAction = join(".github", "actions", "pulumi-stack", "action.yml");

describe("GitHub's parser accepts every workflow and local action", () => {
  for (const w of files.workflows) {
    test(`${w.path}`, async () => assert.deepEqual(await workflowSchemaErrors(w), []));
  }
  for (const a of files.actions.values()) {
    test(`${a.path}`, async () => assert.deepEqual(await actionSchemaErrors(a), []));
  }

  test("and rejects a broken workflow: a misspelt key, a context a key cannot use", async () => {
    const misspelt = broken(deploy, "runs-on:", "runs-onn:", "up-prod").workflows.find((w) => w.path === deploy);
    assert.ok(misspelt);
    const errors = await workflowSchemaErrors(misspelt);
    assert.ok(
      errors.some((e) => /Unexpected value 'runs-onn'/.test(e)),
      errors.join("\n"),
    );
    const secretGroup = broken(
      deploy,
      "group: pulumi-stack-${{ matrix.stack }}",
      "group: pulumi-stack-${{ secrets.STACK }}",
      "up-dev",
    ).workflows.find((w) => w.path === deploy);
    assert.ok(secretGroup);
    assert.ok((await workflowSchemaErrors(secretGroup)).some((e) => /Unrecognized named-value: 'secrets'/.test(e)));
  });

  test("and rejects a broken local action: a run step without a shell", async () => {
    const action = broken(pulumiStackAction, "      shell: bash\n", "").actions.get("./.github/actions/pulumi-stack");
    assert.ok(action);
    assert.ok((await actionSchemaErrors(action)).some((e) => /Required property is missing: shell/.test(e)));
  });
});

describe("the project's workflow rules", () => {
  test("hold for every committed workflow and local action", () => {
    assert.deepEqual(checkWorkflowRules(files).map(formatRuleViolation), []);
  });

  test("actions-pinned fires on a tag, a short SHA, and a SHA without its version comment", () => {
    const tag = checkWorkflowRules(broken(deploy, "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "actions/checkout@v7"));
    assertFires(tag, "actions-pinned", deploy, undefined, /uses actions\/checkout@v7 is not pinned to a full 40-character commit SHA/);
    const short = checkWorkflowRules(
      broken(pulumiStackAction, "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d", "pulumi/actions@8e5e406"),
    );
    assertFires(short, "actions-pinned", pulumiStackAction, undefined, /uses pulumi\/actions@8e5e406 is not pinned/);
    const noComment = checkWorkflowRules(
      broken(
        drift,
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1",
      ),
    );
    assertFires(noComment, "actions-pinned", drift, undefined, /has no trailing comment naming the version/);
  });

  test("top-level-permissions-empty fires on write-all and on a missing block", () => {
    assertFires(
      checkWorkflowRules(broken(drift, "permissions: {}", "permissions: write-all")),
      "top-level-permissions-empty",
      drift,
      undefined,
      /"write-all"/,
    );
    assertFires(
      checkWorkflowRules(broken(deploy, "\npermissions: {}\n", "\n")),
      "top-level-permissions-empty",
      deploy,
      undefined,
      /repository default/,
    );
  });

  test("job-permissions-minimal fires on a scope no step uses, one a job lacks, a missing block and too much access", () => {
    const extra = checkWorkflowRules(
      broken(deploy, "      id-token: write\n", "      id-token: write\n      pull-requests: write\n", "up-dev"),
    );
    assertFires(extra, "job-permissions-minimal", deploy, "up-dev", /pull-requests: write is more than it needs \(no step uses it\)/);
    // The OIDC login happens inside the local pulumi-stack action: the rule sees through it.
    const lacking = checkWorkflowRules(broken(deploy, "      id-token: write\n", "", "up-prod"));
    assertFires(
      lacking,
      "job-permissions-minimal",
      deploy,
      "up-prod",
      /needs id-token: write because it logs in to Pulumi Cloud through OIDC/,
    );
    const none = checkWorkflowRules(broken(deploy, "    permissions:\n      contents: read\n", "", "policy"));
    assertFires(none, "job-permissions-minimal", deploy, "policy", /declares no permissions/);
    const tooMuch = checkWorkflowRules(broken(pullRequest, "      contents: read\n", "      contents: write\n", "preview-prod"));
    assertFires(
      tooMuch,
      "job-permissions-minimal",
      pullRequest,
      "preview-prod",
      /contents: write is more than it needs \(read: it checks out the repository\)/,
    );
  });

  test("stack-concurrency fires on a cancelled up, a missing or foreign group, a preview in a stack group, a cancelling workflow", () => {
    const cancels = checkWorkflowRules(broken(deploy, "cancel-in-progress: false", "cancel-in-progress: true", "up-prod"));
    assertFires(cancels, "stack-concurrency", deploy, "up-prod", /cancel-in-progress must be false/);
    const missing = checkWorkflowRules(
      broken(
        rotation,
        "    concurrency:\n      group: pulumi-stack-${{ matrix.stack }}\n      cancel-in-progress: false\n",
        "",
        "rotate-dev",
      ),
    );
    assertFires(missing, "stack-concurrency", rotation, "rotate-dev", /has no concurrency group: two runs on one stack could overlap/);
    const foreign = checkWorkflowRules(
      broken(deploy, "group: pulumi-stack-${{ matrix.stack }}", "group: deploy-${{ matrix.stack }}", "up-dev"),
    );
    assertFires(foreign, "stack-concurrency", deploy, "up-dev", /must be pulumi-stack-\$\{\{ matrix\.stack \}\}/);
    const preview = checkWorkflowRules(
      broken(
        pullRequest,
        "group: preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}",
        "group: pulumi-stack-${{ matrix.stack }}",
        "preview-dev",
      ),
    );
    assertFires(preview, "stack-concurrency", pullRequest, "preview-dev", /only jobs that change a stack may hold/);
    const workflowLevel = checkWorkflowRules(
      broken(deploy, "\npermissions: {}\n", "\npermissions: {}\n\nconcurrency:\n  group: deploy\n  cancel-in-progress: true\n"),
    );
    assertFires(
      workflowLevel,
      "stack-concurrency",
      deploy,
      undefined,
      /workflow-level concurrency cancels in progress, which would cancel a running pulumi up/,
    );
  });

  test("environment-binding fires on prod changed from dev's or a read-only environment, or from none", () => {
    const fromDev = checkWorkflowRules(broken(deploy, "environment: prod", "environment: dev", "up-prod"));
    assertFires(fromDev, "environment-binding", deploy, "up-prod", /runs prod stacks in dev, which serves dev/);
    const fromReadOnly = checkWorkflowRules(broken(rotation, "environment: prod", "environment: prod-preview", "rotate-prod"));
    assertFires(fromReadOnly, "environment-binding", rotation, "rotate-prod", /changes a stack from prod-preview, a read-only environment/);
    const fromNone = checkWorkflowRules(broken(deploy, "    environment: prod\n", "", "up-prod"));
    assertFires(fromNone, "environment-binding", deploy, "up-prod", /changes prod stack without a GitHub environment: no approval/);
  });

  test("environment-binding fires when prod's deploy environment does not require reviewers", () => {
    const withoutReviewers = { ...githubEnvironments, prod: { ...githubEnvironments.prod, requiredReviewers: false } };
    const violations = environmentBinding(files, withoutReviewers, productionEnvironments);
    assertFires(violations, "environment-binding", deploy, "up-prod", /changes prod stacks from prod, which does not require reviewers/);
    assertFires(violations, "environment-binding", rotation, "rotate-prod", /does not require reviewers/);
  });

  test("environment-binding fires on a pull request running in a deploy environment, and on an undeclared one", () => {
    const deployOnPr = checkWorkflowRules(broken(pullRequest, "environment: dev-preview", "environment: dev", "preview-dev"));
    assertFires(deployOnPr, "environment-binding", pullRequest, "preview-dev", /a pull request's code runs in dev, which can deploy/);
    const undeclared = checkWorkflowRules(broken(drift, "environment: prod-preview", "environment: production", "drift-prod"));
    assertFires(undeclared, "environment-binding", drift, "drift-prod", /environment production is not declared/);
  });

  test("secrets-need-environment fires on a job without an environment and on workflow-level secrets", () => {
    const noEnvironment = checkWorkflowRules(broken(drift, "    environment: dev-preview\n", "", "drift-dev"));
    assertFires(noEnvironment, "secrets-need-environment", drift, "drift-dev", /references secrets but runs in no GitHub environment/);
    const workflowEnv = checkWorkflowRules(
      broken(deploy, "\npermissions: {}\n", "\npermissions: {}\n\nenv:\n  TOKEN: ${{ secrets.DIGITALOCEAN_TOKEN }}\n"),
    );
    assertFires(workflowEnv, "secrets-need-environment", deploy, undefined, /workflow-level env references secrets/);
  });

  test("no-pull-request-target fires on pull_request_target", () => {
    const violations = checkWorkflowRules(broken(pullRequest, "\n  pull_request:\n", "\n  pull_request_target:\n"));
    assertFires(violations, "no-pull-request-target", pullRequest, undefined, /hands a pull request the repository's secrets/);
  });
});

/** Jobs of a workflow that run `command` (a regular expression over their run steps) in a stack environment. */
function jobsRunning(file: string, command: RegExp): [string, Job][] {
  return Object.entries(workflow(file).workflow.jobs ?? {}).filter(([, job]) => (job.steps ?? []).some((s) => command.test(s.run ?? "")));
}

const matrixSource = (job: Job) => String((job.strategy?.matrix as Record<string, unknown> | undefined)?.stack ?? "");

describe("every stack CI deploys is covered, whatever stack files are added", () => {
  const byEnvironment = deployedStacksByEnvironment(listStacks(projectDir));
  const expectations: [string, RegExp, "deploy" | "read", boolean][] = [
    ["deploy.yml", /\bpulumi up --yes --diff --policy-pack policy\b/, "deploy", true],
    ["rotation.yml", /\bpulumi up --yes --refresh --run-program\b[^\n]*--policy-pack policy/, "deploy", true],
    ["drift.yml", /\bpulumi refresh --preview-only --expect-no-changes --run-program\b/, "read", false],
    ["pull-request.yml", /\bpulumi preview --diff --policy-pack policy\b/, "read", false],
  ];
  for (const environment of Object.keys(byEnvironment)) {
    for (const [file, command, access, mutating] of expectations) {
      test(`${file} runs ${environment}'s stacks in ${String(githubEnvironmentFor(environment, access))}`, () => {
        const jobs = jobsRunning(file, command).filter(([, job]) => matrixSource(job).includes(`outputs.${environment})`));
        assert.equal(jobs.length, 1, `one job of ${file} should run ${String(command)} over needs.stacks.outputs.${environment}`);
        const [id, job] = jobs[0];
        // The naming docs/delivery.md tells an admin to create: the stack environment, "-preview" for read-only jobs.
        assert.equal(job.environment, access === "read" ? `${environment}-preview` : environment, `${file} job ${id}`);
        assert.equal(isMutatingJob(job, files), mutating, `${file} job ${id} changes stacks: ${String(mutating)}`);
        const outputs = (workflow(file).workflow.jobs?.stacks as { outputs?: Record<string, string> } | undefined)?.outputs ?? {};
        assert.equal(outputs[environment], `\${{ steps.list.outputs.${environment} }}`, `${file}'s stacks job passes on ${environment}`);
      });
    }
  }

  test("the rotation dispatch offers exactly the credentials npm run rotate knows", () => {
    const on = workflow("rotation.yml").workflow.on as { workflow_dispatch: { inputs: { credential: { options: string[] } } } };
    assert.deepEqual(on.workflow_dispatch.inputs.credential.options, ["", ...rotatingCredentialNames]);
  });

  test("the Pulumi CLI CI installs is package.json's @pulumi/pulumi, recent enough for replacementTrigger (3.208)", () => {
    const version = (JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { dependencies: Record<string, string> })
      .dependencies["@pulumi/pulumi"];
    const [major, minor] = version.split(".").map(Number);
    assert.ok(major > 3 || (major === 3 && minor >= 208), `@pulumi/pulumi ${version}`);
    const action = files.actions.get("./.github/actions/pulumi-stack");
    assert.ok(action);
    assert.match(action.text, /require\("\.\/package\.json"\)\.dependencies\["@pulumi\/pulumi"\]/);
    assert.match(action.text, /pulumi-version: \$\{\{ steps\.versions\.outputs\.pulumi \}\}/);
  });

  test("prod's deploy environment requires reviewers; every declared environment serves a stack environment", () => {
    for (const environment of productionEnvironments) {
      const name = githubEnvironmentFor(environment, "deploy");
      assert.ok(name && githubEnvironments[name].requiredReviewers, `${environment}'s deploy environment requires reviewers`);
    }
    const served = new Set(Object.keys(byEnvironment));
    for (const [name, environment] of Object.entries(githubEnvironments))
      assert.ok(served.has(environment.serves), `${name} serves no stack`);
  });

  test("docs/delivery.md names every GitHub environment, every secret the stacks need and every variable the workflows read", () => {
    const doc = readFileSync(join(projectDir, "docs", "delivery.md"), "utf8");
    for (const name of Object.keys(githubEnvironments)) assert.ok(doc.includes(`\`${name}\``), `environment ${name}`);
    for (const stack of listStacks(projectDir).filter((s) => s.environment !== "local"))
      for (const key of stack.placeholderSecretKeys)
        assert.ok(doc.includes(`\`${secretNameForConfigKey(key)}\``), `secret ${secretNameForConfigKey(key)}`);
    const texts = [...files.workflows.map((w) => w.text), ...[...files.actions.values()].map((a) => a.text)].join("\n");
    for (const [, name] of texts.matchAll(/\b(?:vars|secrets)\.([A-Z][A-Z0-9_]*)/g))
      assert.ok(doc.includes(`\`${name}\``), `${name} is not documented`);
  });
});

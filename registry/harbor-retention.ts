/**
 * A project's tag retention policy, modelled on the Terraform provider's `harbor_retention_policy`.
 *
 * Harbor's rules only ever RETAIN: an artifact survives a run if any rule retains it (the "or" algorithm) and
 * everything else in the repositories in scope is deleted. So "delete untagged artifacts" is expressed by rules
 * that do not retain untagged ones, and two rules widen what is kept, never narrow it. Artifacts with an
 * immutable tag are never deleted by retention (harbor #10506, #23530). A project has at most one policy; its id
 * is in the project's `retention_id` metadata, which is how an existing policy is found and adopted.
 */
import { HarborApiError, HarborClient } from "./harbor-api";
import { cronProblem, sameJson, type ArgProblem, type HarborObject } from "./harbor-object";

/** What a rule retains (Harbor's rule templates). */
export type RetainWhat =
  | { readonly mostRecentlyPushed: number }
  | { readonly mostRecentlyPulled: number }
  | { readonly pushedWithinDays: number }
  | { readonly pulledWithinDays: number }
  | { readonly always: true };

export interface RetentionRule {
  readonly retain: RetainWhat;
  /** Doublestar pattern of repositories the rule applies to. */
  readonly repositories: string;
  /** Doublestar pattern of tags the rule retains. */
  readonly tags: string;
  /** Whether untagged artifacts can be retained by this rule; false lets every run delete them. */
  readonly untaggedArtifacts: boolean;
}

export interface RetentionPolicyArgs {
  readonly projectId: number;
  /** When the policy runs: a 6-field cron (seconds first), UTC. */
  readonly schedule: string;
  readonly rules: readonly RetentionRule[];
}

export interface RetentionPolicyState extends RetentionPolicyArgs {
  readonly policyId: number;
}

/** Harbor's template name and its single integer parameter, per kind of rule. */
const templates = {
  mostRecentlyPushed: "latestPushedK",
  mostRecentlyPulled: "latestPulledN",
  pushedWithinDays: "nDaysSinceLastPush",
  pulledWithinDays: "nDaysSinceLastPull",
  always: "always",
} as const;

type RetainKind = keyof typeof templates;

interface HarborSelector {
  kind?: string;
  decoration?: string;
  pattern?: string;
  extras?: string;
}

interface HarborRule {
  id?: number;
  priority?: number;
  disabled?: boolean;
  action?: string;
  template?: string;
  params?: Record<string, unknown>;
  tag_selectors?: HarborSelector[];
  scope_selectors?: Record<string, HarborSelector[]>;
}

interface HarborPolicy {
  id?: number;
  algorithm?: string;
  rules?: HarborRule[];
  trigger?: { kind?: string; settings?: { cron?: string }; references?: unknown };
  scope?: { level?: string; ref?: number };
}

const kindOf = (retain: RetainWhat): RetainKind => Object.keys(retain)[0] as RetainKind;

/** Pure: one rule as Harbor's RetentionRule. */
export function harborRule(rule: RetentionRule): HarborRule {
  const kind = kindOf(rule.retain);
  const template = templates[kind];
  const value = (rule.retain as Record<string, number | true>)[kind];
  return {
    disabled: false,
    action: "retain",
    template,
    params: kind === "always" ? {} : { [template]: value },
    tag_selectors: [
      { kind: "doublestar", decoration: "matches", pattern: rule.tags, extras: JSON.stringify({ untagged: rule.untaggedArtifacts }) },
    ],
    scope_selectors: { repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: rule.repositories }] },
  };
}

/** Pure: the RetentionPolicy body for POST/PUT. */
export function retentionRequest(args: RetentionPolicyArgs, policyId?: number): HarborPolicy {
  return {
    ...(policyId === undefined ? {} : { id: policyId }),
    algorithm: "or",
    rules: args.rules.map(harborRule),
    trigger: { kind: "Schedule", settings: { cron: args.schedule }, references: {} },
    scope: { level: "project", ref: args.projectId },
  };
}

/** Pure: a rule Harbor holds, back in our shape; one we would never write comes back as-is so diff sees it. */
export function ruleFromHarbor(rule: HarborRule): RetentionRule | HarborRule {
  const kind = (Object.keys(templates) as RetainKind[]).find((k) => templates[k] === rule.template);
  const tag = rule.tag_selectors?.[0];
  const repository = rule.scope_selectors?.repository?.[0];
  const ours =
    kind !== undefined &&
    rule.action === "retain" &&
    rule.disabled !== true &&
    rule.tag_selectors?.length === 1 &&
    tag?.kind === "doublestar" &&
    tag.decoration === "matches" &&
    rule.scope_selectors?.repository?.length === 1 &&
    repository?.kind === "doublestar" &&
    repository.decoration === "repoMatches";
  if (!ours) return rule;
  let untagged = false;
  try {
    untagged = (JSON.parse(tag.extras ?? "{}") as { untagged?: boolean }).untagged === true;
  } catch {
    return rule;
  }
  const value = kind === "always" ? true : Number(rule.params?.[templates[kind]]);
  return {
    retain: { [kind]: value } as RetainWhat,
    repositories: repository.pattern ?? "",
    tags: tag.pattern ?? "",
    untaggedArtifacts: untagged,
  };
}

/** Pure: Harbor's policy in the shape of RetentionPolicyArgs. */
export function retentionState(policy: HarborPolicy, policyId: number): RetentionPolicyState {
  return {
    policyId,
    projectId: policy.scope?.ref ?? 0,
    schedule: policy.trigger?.kind === "Schedule" ? (policy.trigger.settings?.cron ?? "") : `(trigger ${policy.trigger?.kind ?? "none"})`,
    rules: (policy.rules ?? []).map(ruleFromHarbor) as RetentionRule[],
  };
}

async function retentionIdOf(client: HarborClient, projectId: number): Promise<number | undefined> {
  const project = (await client.request<{ metadata?: { retention_id?: string } }>("GET", `/projects/${projectId}`)).body;
  const id = Number(project.metadata?.retention_id);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

async function put(client: HarborClient, policyId: number, args: RetentionPolicyArgs): Promise<RetentionPolicyState> {
  await client.request("PUT", `/retentions/${policyId}`, { body: retentionRequest(args, policyId) });
  return { ...args, policyId };
}

export const harborRetentionPolicy: HarborObject<RetentionPolicyArgs, RetentionPolicyState> = {
  kind: "retention policy",

  validate(args) {
    const problems: ArgProblem[] = [];
    if (!Number.isInteger(args.projectId) || args.projectId <= 0)
      problems.push({ field: "projectId", reason: `must be a project id, got ${args.projectId}` });
    const cron = cronProblem(args.schedule);
    if (cron) problems.push({ field: "schedule", reason: cron });
    if (args.rules.length < 1 || args.rules.length > 15)
      problems.push({ field: "rules", reason: `Harbor takes 1 to 15 rules, got ${args.rules.length}` });
    args.rules.forEach((rule, i) => {
      const keys = Object.keys(rule.retain);
      if (keys.length !== 1 || !(keys[0] in templates)) {
        problems.push({ field: `rules[${i}].retain`, reason: `must be exactly one of ${Object.keys(templates).join(", ")}` });
        return;
      }
      const value = (rule.retain as Record<string, unknown>)[keys[0]];
      if (keys[0] !== "always" && (!Number.isInteger(value) || (value as number) < 1)) {
        problems.push({ field: `rules[${i}].retain.${keys[0]}`, reason: `must be a positive integer, got ${String(value)}` });
      }
      if (rule.repositories === "" || rule.tags === "")
        problems.push({ field: `rules[${i}]`, reason: "repository and tag patterns must not be empty" });
    });
    const bodies = args.rules.map((rule) => JSON.stringify(harborRule(rule)));
    if (new Set(bodies).size !== bodies.length)
      problems.push({ field: "rules", reason: "two rules are identical; Harbor refuses them as conflicting" });
    return problems;
  },

  async create({ client }, args) {
    const existing = await retentionIdOf(client, args.projectId);
    if (existing !== undefined) return { id: String(existing), state: await put(client, existing, args) };
    try {
      const response = await client.request("POST", "/retentions", { body: retentionRequest(args) });
      const policyId = HarborClient.createdId(response, `retention policy of project ${args.projectId}`);
      return { id: String(policyId), state: { ...args, policyId } };
    } catch (error) {
      // A policy was bound meanwhile (Harbor answers 400 "already has retention policy"): adopt it.
      const raced = error instanceof HarborApiError && error.status === 400 ? await retentionIdOf(client, args.projectId) : undefined;
      if (raced === undefined) throw error;
      return { id: String(raced), state: await put(client, raced, args) };
    }
  },

  async read({ client }, id) {
    try {
      const policy = (await client.request<HarborPolicy>("GET", `/retentions/${id}`)).body;
      return retentionState(policy, Number(id));
    } catch (error) {
      // Harbor answers a deleted policy with 404, or with 400 from the controller on some versions.
      if (error instanceof HarborApiError && (error.notFound || error.status === 400)) return undefined;
      throw error;
    }
  },

  async update({ client }, id, _state, args) {
    return put(client, Number(id), args);
  },

  async remove({ client }, id) {
    try {
      await client.request("DELETE", `/retentions/${id}`);
    } catch (error) {
      if (error instanceof HarborApiError && (error.notFound || error.status === 400)) return;
      throw error;
    }
  },

  diff(state, args) {
    const scheduleOrRules = !sameJson(state.schedule, args.schedule) || !sameJson(state.rules, args.rules);
    // A policy belongs to one project: moving it means a new policy on the other project.
    const moved = state.projectId !== args.projectId;
    return { changes: scheduleOrRules || moved, replaces: moved ? ["projectId"] : [] };
  },
};

/**
 * A tag immutability rule of a project, modelled on the Terraform provider's `harbor_immutable_tag_rule`
 * (repo_matching, tag_matching, disabled). A matching tag can be pushed once and never overwritten, re-tagged or
 * deleted, by anyone: retention included (harbor #10506, #23530, still so in 2.15).
 *
 * Harbor has no GET for a single rule, so reads list the project's rules. An existing rule with the same selectors
 * is adopted instead of creating a duplicate, which Harbor would refuse.
 */
import { HarborApiError, HarborClient } from "./harbor-api";
import { changedFields, type ArgProblem, type HarborObject } from "./harbor-object";

export interface ImmutableTagRuleArgs {
  readonly projectId: number;
  /** Doublestar pattern of repositories the rule covers. */
  readonly repositoryPattern: string;
  /** Doublestar pattern of tags that become immutable. */
  readonly tagPattern: string;
  /** A disabled rule stays in Harbor (visible, one toggle from enforced) but protects nothing. */
  readonly disabled: boolean;
}

export interface ImmutableTagRuleState extends ImmutableTagRuleArgs {
  readonly ruleId: number;
}

interface HarborImmutableRule {
  id?: number;
  disabled?: boolean;
  action?: string;
  template?: string;
  tag_selectors?: { kind?: string; decoration?: string; pattern?: string }[];
  scope_selectors?: Record<string, { kind?: string; decoration?: string; pattern?: string }[]>;
}

/** Pure: the ImmutableRule body. */
export function immutableRuleRequest(args: ImmutableTagRuleArgs, ruleId?: number): HarborImmutableRule {
  return {
    ...(ruleId === undefined ? {} : { id: ruleId }),
    disabled: args.disabled,
    action: "immutable",
    template: "immutable_template",
    tag_selectors: [{ kind: "doublestar", decoration: "matches", pattern: args.tagPattern }],
    scope_selectors: { repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: args.repositoryPattern }] },
  };
}

/** Pure: a rule Harbor holds in our shape (patterns of selectors we did not write read back as "(other)"). */
export function immutableRuleState(rule: HarborImmutableRule, projectId: number): ImmutableTagRuleState {
  const tag =
    rule.tag_selectors?.length === 1 && rule.tag_selectors[0].decoration === "matches" ? rule.tag_selectors[0].pattern : undefined;
  const repositories = rule.scope_selectors?.repository;
  const repository = repositories?.length === 1 && repositories[0].decoration === "repoMatches" ? repositories[0].pattern : undefined;
  return {
    ruleId: rule.id ?? 0,
    projectId,
    repositoryPattern: repository ?? "(other)",
    tagPattern: tag ?? "(other)",
    disabled: rule.disabled === true,
  };
}

async function rulesOf(client: HarborClient, projectId: number): Promise<ImmutableTagRuleState[]> {
  const rules = await client.list<HarborImmutableRule>(`/projects/${projectId}/immutabletagrules`);
  return rules.map((rule) => immutableRuleState(rule, projectId));
}

async function put(client: HarborClient, ruleId: number, args: ImmutableTagRuleArgs): Promise<ImmutableTagRuleState> {
  await client.request("PUT", `/projects/${args.projectId}/immutabletagrules/${ruleId}`, { body: immutableRuleRequest(args, ruleId) });
  return { ...args, ruleId };
}

const sameSelectors = (a: ImmutableTagRuleArgs, b: ImmutableTagRuleArgs) =>
  a.tagPattern === b.tagPattern && a.repositoryPattern === b.repositoryPattern;

export const harborImmutableTagRule: HarborObject<ImmutableTagRuleArgs, ImmutableTagRuleState> = {
  kind: "immutable tag rule",

  validate(args) {
    const problems: ArgProblem[] = [];
    if (!Number.isInteger(args.projectId) || args.projectId <= 0)
      problems.push({ field: "projectId", reason: `must be a project id, got ${args.projectId}` });
    for (const field of ["repositoryPattern", "tagPattern"] as const) {
      if (args[field].trim() === "") problems.push({ field, reason: "must not be empty (use ** for everything)" });
    }
    return problems;
  },

  async create({ client }, args) {
    const existing = (await rulesOf(client, args.projectId)).find((rule) => sameSelectors(rule, args));
    if (existing)
      return {
        id: String(existing.ruleId),
        state: existing.disabled === args.disabled ? existing : await put(client, existing.ruleId, args),
      };
    const response = await client.request("POST", `/projects/${args.projectId}/immutabletagrules`, { body: immutableRuleRequest(args) });
    const ruleId = HarborClient.createdId(response, `immutable tag rule of project ${args.projectId}`);
    return { id: String(ruleId), state: { ...args, ruleId } };
  },

  async read({ client }, id, state) {
    try {
      return (await rulesOf(client, state.projectId)).find((rule) => String(rule.ruleId) === id);
    } catch (error) {
      // The whole project is gone, and the rule with it.
      if (error instanceof HarborApiError && error.notFound) return undefined;
      throw error;
    }
  },

  async update({ client }, id, _state, args) {
    return put(client, Number(id), args);
  },

  async remove({ client }, id, state) {
    try {
      await client.request("DELETE", `/projects/${state.projectId}/immutabletagrules/${id}`);
    } catch (error) {
      if (error instanceof HarborApiError && error.notFound) return;
      throw error;
    }
  },

  diff(state, args) {
    const changes = changedFields<ImmutableTagRuleArgs>(state, args, ["projectId", "repositoryPattern", "tagPattern", "disabled"]);
    return { changes: changes.length > 0, replaces: changes.filter((field) => field === "projectId") };
  },
};

/**
 * The requests the fake Harbor accepts, endpoint by endpoint: the paths, query parameters and body fields the
 * platform's providers send, typed the way Harbor 2.15's handlers read them. The fake checks every request against
 * it always, so a misspelt field fails a test on any machine; Harbor's own swagger (test/harbor-swagger.ts) is
 * checked as well when the upstream reference is there.
 *
 * Where the swagger leaves a value untyped (a retention rule's `params`, its `trigger` and `scope`, the GC
 * schedule's `parameters`), the contract types it as Harbor's Go code reads it, since a typo there is dropped
 * silently by Harbor and by a swagger check alike.
 */
import { z } from "zod";

const flag = z.enum(["true", "false"]);
const id = z.int().positive();

const projectMetadata = z
  .strictObject({
    public: flag,
    auto_scan: flag,
    prevent_vul: flag,
    severity: z.enum(["none", "low", "medium", "high", "critical"]),
    reuse_sys_cve_allowlist: flag,
    retention_id: z.string().regex(/^\d+$/),
  })
  .partial();

const projectRequest = z.strictObject({
  project_name: z.string().optional(),
  public: z.boolean().optional(),
  metadata: projectMetadata.optional(),
  cve_allowlist: z.strictObject({ items: z.array(z.strictObject({ cve_id: z.string() })) }).optional(),
  storage_limit: z.int().min(-1).optional(),
});

const selector = (decorations: readonly [string, ...string[]]) =>
  z.strictObject({ kind: z.literal("doublestar"), decoration: z.enum(decorations), pattern: z.string(), extras: z.string().optional() });
const tagSelectors = z.array(selector(["matches", "excludes"]));
const scopeSelectors = z.strictObject({ repository: z.array(selector(["repoMatches", "repoExcludes"])) });

/** Harbor's retention templates, each reading one integer parameter named after itself (`always` reads none). */
const retentionTemplates = ["latestPushedK", "latestPulledN", "nDaysSinceLastPush", "nDaysSinceLastPull", "always"] as const;

const retentionRule = z
  .strictObject({
    id: id.optional(),
    priority: z.int().optional(),
    disabled: z.boolean(),
    action: z.literal("retain"),
    template: z.enum(retentionTemplates),
    params: z.record(z.string(), z.unknown()),
    tag_selectors: tagSelectors,
    scope_selectors: scopeSelectors,
  })
  .superRefine((rule, context) => {
    const expected = rule.template === "always" ? [] : [rule.template];
    const keys = Object.keys(rule.params);
    if (keys.join() !== expected.join())
      context.addIssue({
        code: "custom",
        path: ["params"],
        message: `template ${rule.template} reads ${expected.length ? `exactly {"${rule.template}": <integer>}` : "no parameter"}, got {${keys.join(", ")}}`,
      });
    else if (rule.template !== "always" && !Number.isInteger(rule.params[rule.template]))
      context.addIssue({ code: "custom", path: ["params", rule.template], message: "must be an integer" });
  });

const retentionPolicy = z.strictObject({
  id: id.optional(),
  algorithm: z.literal("or"),
  rules: z.array(retentionRule),
  trigger: z.strictObject({
    kind: z.literal("Schedule"),
    settings: z.strictObject({ cron: z.string() }),
    references: z.strictObject({}).optional(),
  }),
  scope: z.strictObject({ level: z.literal("project"), ref: id }),
});

const immutableRule = z.strictObject({
  id: id.optional(),
  priority: z.int().optional(),
  disabled: z.boolean(),
  action: z.literal("immutable"),
  template: z.literal("immutable_template"),
  params: z.record(z.string(), z.unknown()).optional(),
  tag_selectors: tagSelectors,
  scope_selectors: scopeSelectors,
});

const robotPermission = z.strictObject({
  kind: z.enum(["project", "system"]),
  namespace: z.string(),
  access: z.array(z.strictObject({ resource: z.string(), action: z.string(), effect: z.enum(["allow", "deny"]).optional() })),
});

const robotCreate = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  secret: z.string().optional(),
  level: z.enum(["project", "system"]),
  disable: z.boolean().optional(),
  duration: z.int(),
  permissions: z.array(robotPermission),
});

const schedule = z.strictObject({
  type: z.enum(["Hourly", "Daily", "Weekly", "Custom", "Manual", "None", "Schedule"]),
  cron: z.string().optional(),
});

const gcSchedule = z.strictObject({
  schedule,
  // Harbor's GC handler reads these keys out of an untyped map; anything else is ignored.
  parameters: z
    .strictObject({ delete_untagged: z.boolean(), workers: z.int().min(1).max(5), dry_run: z.boolean() })
    .partial()
    .optional(),
});

const page = { page: "integer", page_size: "integer" } as const;

/** One endpoint: a path template (`{name}` is any segment, `{name:int}` a positive integer), its query and body. */
export interface ContractEndpoint {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Under /api/v2.0. */
  readonly path: string;
  /** Query parameters the endpoint takes, and their type; any other is refused. */
  readonly query?: Readonly<Record<string, "integer" | "string">>;
  /** The body's schema; an endpoint without one takes no body. */
  readonly body?: z.ZodType;
}

export const harborRequestContract: readonly ContractEndpoint[] = [
  { method: "GET", path: "/users/current" },
  { method: "PUT", path: "/users/{user_id:int}/password", body: z.strictObject({ old_password: z.string(), new_password: z.string() }) },
  { method: "POST", path: "/projects", body: projectRequest },
  { method: "GET", path: "/projects/{project_name_or_id}" },
  { method: "PUT", path: "/projects/{project_name_or_id}", body: projectRequest },
  { method: "DELETE", path: "/projects/{project_name_or_id}" },
  { method: "GET", path: "/quotas", query: { ...page, reference: "string", reference_id: "integer" } },
  { method: "PUT", path: "/quotas/{id:int}", body: z.strictObject({ hard: z.strictObject({ storage: z.int().min(-1) }) }) },
  { method: "POST", path: "/retentions", body: retentionPolicy },
  { method: "GET", path: "/retentions/{id:int}" },
  { method: "PUT", path: "/retentions/{id:int}", body: retentionPolicy },
  { method: "DELETE", path: "/retentions/{id:int}" },
  { method: "GET", path: "/projects/{project_name_or_id}/immutabletagrules", query: page },
  { method: "POST", path: "/projects/{project_name_or_id}/immutabletagrules", body: immutableRule },
  { method: "PUT", path: "/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id:int}", body: immutableRule },
  { method: "DELETE", path: "/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id:int}" },
  { method: "GET", path: "/robots", query: { ...page, q: "string" } },
  { method: "POST", path: "/robots", body: robotCreate },
  { method: "GET", path: "/robots/{robot_id:int}" },
  { method: "PUT", path: "/robots/{robot_id:int}", body: robotCreate.extend({ id }) },
  { method: "PATCH", path: "/robots/{robot_id:int}", body: z.strictObject({ secret: z.string() }) },
  { method: "DELETE", path: "/robots/{robot_id:int}" },
  { method: "GET", path: "/system/gc/schedule" },
  { method: "PUT", path: "/system/gc/schedule", body: gcSchedule },
  { method: "GET", path: "/scanners", query: page },
  { method: "PATCH", path: "/scanners/{registration_id}", body: z.strictObject({ is_default: z.boolean() }) },
  { method: "GET", path: "/system/scanAll/schedule" },
  { method: "PUT", path: "/system/scanAll/schedule", body: z.strictObject({ schedule }) },
];

const patternOf = (template: string) =>
  new RegExp(`^${template.replace(/\{[^}:]+:int\}/g, "[1-9][0-9]*").replace(/\{[^}]+\}/g, "[^/]+")}$`);
const compiled = harborRequestContract.map((endpoint) => ({ endpoint, pattern: patternOf(endpoint.path) }));

export interface ContractRequest {
  readonly method: string;
  /** Path under /api/v2.0. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The raw body text; undefined or empty when there is none. */
  readonly body?: string;
}

/** The endpoint a request is for, or undefined when the contract has none (a literal path wins over a template). */
export function contractEndpoint(method: string, path: string): ContractEndpoint | undefined {
  return compiled.find((c) => c.endpoint.method === method && c.pattern.test(path))?.endpoint;
}

/** Everything about `request` the contract does not allow; empty when it conforms. */
export function contractProblems(request: ContractRequest): string[] {
  const where = `${request.method} /api/v2.0${request.path}`;
  const endpoint = contractEndpoint(request.method, request.path);
  if (!endpoint) return [`${where}: not an endpoint the providers use (add it to test/harbor-request-contract.ts if they now do)`];
  const problems: string[] = [];
  for (const [key, value] of request.query) {
    const type = endpoint.query?.[key];
    if (!type) problems.push(`${where}: unknown query parameter ${key}`);
    else if (type === "integer" && !/^-?\d+$/.test(value))
      problems.push(`${where}: query parameter ${key} must be an integer, got "${value}"`);
  }
  if (!endpoint.body) {
    if (request.body) problems.push(`${where}: takes no body`);
    return problems;
  }
  if (!request.body) return [...problems, `${where}: a body is required`];
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return [...problems, `${where}: the body is not JSON`];
  }
  const parsed = endpoint.body.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = ["body", ...issue.path.map(String)].join(".");
      if (issue.code === "unrecognized_keys")
        for (const key of issue.keys) problems.push(`${where}: ${at}.${key} is not a field Harbor reads`);
      else problems.push(`${where}: ${at}: ${issue.message}`);
    }
  }
  return problems;
}

/**
 * A local Harbor (node:http) implementing the endpoints the platform's providers use, with Harbor 2.15's behaviour
 * where it matters: error bodies `{"errors":[{code,message}]}`, 409 on duplicates, 412 on deleting a project that
 * holds repositories, one retention policy per project (`retention_id` metadata), robot names stored as
 * `robot$<project>+<name>` and secrets shown only at creation or refresh, the GC schedule handler's need for
 * `parameters`, scan-all's need for a default scanner, admin password changes needing the old password.
 *
 * Every request is checked against the fake's request contract (test/harbor-request-contract.ts: the endpoints and
 * fields the providers use, always) and against Harbor's swagger (test/harbor-swagger.ts) when the upstream
 * reference has it: a violation is answered 422 with the problems and recorded in `schemaProblems`, which every test
 * asserts empty. Tests can also inject faults (429/5xx with Retry-After, hangs) and change state out of band to
 * simulate drift.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { contractProblems } from "./harbor-request-contract";
import type { HarborSwagger } from "./harbor-swagger";

export interface FakeProject {
  project_id: number;
  name: string;
  metadata: Record<string, string>;
  cve_allowlist: { items: { cve_id: string }[] };
  repo_count: number;
}
export interface FakeQuota {
  id: number;
  projectId: number;
  hard: { storage: number };
}
export interface FakeRetention {
  id: number;
  policy: { scope: { level: string; ref: number }; rules?: unknown[]; trigger?: unknown; [key: string]: unknown };
}
export interface FakeImmutableRule {
  id: number;
  projectId: number;
  rule: Record<string, unknown>;
}
export interface FakeRobot {
  id: number;
  name: string;
  description: string;
  level: string;
  duration: number;
  disable: boolean;
  permissions: unknown[];
  projectId: number;
  secret: string;
  creation: number;
  expires_at: number;
}
export interface FakeScanner {
  uuid: string;
  name: string;
  is_default: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body?: unknown;
}

export interface Fault {
  readonly method?: string;
  readonly path?: RegExp;
  /** Answer with this status (and Harbor-style message) instead of handling the request. */
  readonly status?: number;
  readonly message?: string;
  readonly headers?: Record<string, string>;
  /** Never answer (until the server closes): a request that times out. */
  readonly hang?: boolean;
  /** How many matching requests the fault applies to. */
  times: number;
}

class HarborError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string) => new HarborError(404, "NOT_FOUND", `${what} not found`);
const badRequest = (message: string) => new HarborError(400, "BAD_REQUEST", message);
const namePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const validSecret = (s: string) => s.length >= 8 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s);

export class FakeHarbor {
  readonly projects = new Map<number, FakeProject>();
  readonly quotas = new Map<number, FakeQuota>();
  readonly retentions = new Map<number, FakeRetention>();
  readonly immutableRules = new Map<number, FakeImmutableRule>();
  readonly robots = new Map<number, FakeRobot>();
  readonly scanners: FakeScanner[] = [{ uuid: "trivy-uuid", name: "Trivy", is_default: false }];
  gcSchedule: { type: string; cron: string; parameters: Record<string, unknown> } | undefined;
  scanAllSchedule: { type: string; cron: string } | undefined;
  adminPassword: string;
  readonly requests: RecordedRequest[] = [];
  readonly schemaProblems: string[] = [];
  readonly faults: Fault[] = [];
  /** Seconds since epoch the fake believes it is (robots expire against it). */
  now = Math.floor(Date.now() / 1000);
  private nextId = 1;
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  url = "";

  constructor(
    readonly swagger: HarborSwagger | undefined,
    adminPassword = "Harbor12345",
  ) {
    this.adminPassword = adminPassword;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    // fetch keeps connections alive; without this, close() waits out their idle timeout.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  fail(fault: Omit<Fault, "times"> & { times?: number }): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** The requests matching a method and path pattern, for assertions. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  addProject(name: string, metadata: Record<string, string> = { public: "false" }, storage = -1): FakeProject {
    const project: FakeProject = { project_id: this.id(), name, metadata, cve_allowlist: { items: [] }, repo_count: 0 };
    this.projects.set(project.project_id, project);
    const quota: FakeQuota = { id: this.id(), projectId: project.project_id, hard: { storage } };
    this.quotas.set(quota.id, quota);
    return project;
  }

  private id(): number {
    return this.nextId++;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    this.requests.push({ method, path: url.pathname, query: url.search, body });

    // Every request is checked, including those a test answers with a fault: against the contract always, and
    // against the swagger when it is there.
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));
    const problems = [
      ...contractProblems({ method, path: url.pathname.replace(/^\/api\/v2\.0/, ""), query: url.searchParams, body: text }),
      ...(this.swagger?.validate({ method, path: url.pathname, query: url.searchParams, headers, body: text || undefined }) ?? []),
    ];
    if (problems.length > 0) {
      this.schemaProblems.push(...problems);
      return this.error(res, new HarborError(422, "UNPROCESSABLE_ENTITY", problems.join("; ")));
    }

    const fault = this.faults.find((f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(url.pathname)));
    if (fault) {
      fault.times--;
      if (fault.hang) {
        this.hanging.add(res);
        return;
      }
      return this.error(res, new HarborError(fault.status ?? 500, "FAULT", fault.message ?? "injected fault"), fault.headers);
    }

    if (!this.authorized(req.headers.authorization)) return this.error(res, new HarborError(401, "UNAUTHORIZED", "unauthorized"));
    try {
      const result = this.route(method, url.pathname.replace(/^\/api\/v2\.0/, ""), url.searchParams, body, req.headers);
      res.writeHead(result.status, { "Content-Type": "application/json", "X-Request-Id": "fake-request", ...result.headers });
      res.end(result.body === undefined ? "" : JSON.stringify(result.body));
    } catch (error) {
      if (error instanceof HarborError) return this.error(res, error);
      throw error;
    }
  }

  private authorized(header: string | undefined): boolean {
    const [scheme, encoded] = (header ?? "").split(" ");
    if (scheme !== "Basic" || !encoded) return false;
    const [user, ...rest] = Buffer.from(encoded, "base64").toString("utf8").split(":");
    return user === "admin" && rest.join(":") === this.adminPassword;
  }

  private error(res: ServerResponse, error: HarborError, headers: Record<string, string> = {}): void {
    res.writeHead(error.status, { "Content-Type": "application/json", "X-Request-Id": "fake-request", ...headers });
    res.end(JSON.stringify({ errors: [{ code: error.code, message: error.message }] }));
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    headers: IncomingMessage["headers"],
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    const created = (location: string) => ({ status: 201, headers: { Location: `/api/v2.0${location}` } });
    const ok = (value?: unknown) => ({ status: 200, body: value });

    if (method === "GET" && path === "/users/current") return ok({ user_id: 1, username: "admin", sysadmin_flag: true });
    if (method === "PUT" && (m = /^\/users\/(\d+)\/password$/.exec(path))) {
      if (b.old_password !== this.adminPassword) throw new HarborError(403, "FORBIDDEN", "the old password is not correct");
      if (!validSecret(String(b.new_password ?? ""))) throw badRequest("the password does not meet the password policy");
      this.adminPassword = String(b.new_password);
      return ok();
    }

    if (method === "POST" && path === "/projects") return this.createProject(b);
    if ((m = /^\/projects\/([^/]+)$/.exec(path))) {
      const project = this.project(decodeURIComponent(m[1]), headers["x-is-resource-name"] === "true");
      if (method === "GET") return ok(project);
      if (method === "PUT") {
        const metadata = (b.metadata ?? {}) as Record<string, string>;
        if (metadata.public && !["true", "false"].includes(metadata.public))
          throw badRequest(`metadata.public should only be 'true' or 'false', but got: '${metadata.public}'`);
        if (metadata.retention_id && metadata.retention_id !== project.metadata.retention_id)
          throw badRequest("the retention_id in the request's payload when updating a project should be omitted");
        Object.assign(project.metadata, metadata);
        if (b.cve_allowlist)
          project.cve_allowlist = {
            items: ((b.cve_allowlist as { items?: { cve_id: string }[] }).items ?? []).map((i) => ({ cve_id: i.cve_id })),
          };
        return ok();
      }
      if (method === "DELETE") {
        if (project.repo_count > 0) throw new HarborError(412, "PRECONDITION", "the project contains repositories, can not be deleted");
        this.projects.delete(project.project_id);
        for (const [id, quota] of this.quotas) if (quota.projectId === project.project_id) this.quotas.delete(id);
        for (const [id, robot] of this.robots) if (robot.projectId === project.project_id) this.robots.delete(id);
        return ok();
      }
    }

    if (method === "GET" && path === "/quotas") {
      const ref = Number(query.get("reference_id"));
      return ok(
        [...this.quotas.values()].filter((q) => q.projectId === ref).map((q) => ({ id: q.id, hard: q.hard, used: { storage: 0 } })),
      );
    }
    if (method === "PUT" && (m = /^\/quotas\/(\d+)$/.exec(path))) {
      const quota = this.quotas.get(Number(m[1]));
      if (!quota) throw notFound(`quota ${m[1]}`);
      const storage = Number((b.hard as { storage?: number } | undefined)?.storage);
      if (storage !== -1 && !(storage > 0)) throw badRequest(`invalid value of storage: ${storage}`);
      quota.hard = { storage };
      return ok();
    }

    if (method === "POST" && path === "/retentions") return this.createRetention(b);
    if ((m = /^\/retentions\/(\d+)$/.exec(path))) {
      const retention = this.retentions.get(Number(m[1]));
      if (!retention) throw notFound(`retention policy ${m[1]}`);
      if (method === "GET") return ok({ id: retention.id, ...retention.policy });
      if (method === "PUT") {
        const project = this.projects.get(retention.policy.scope.ref);
        if (project?.metadata.retention_id !== String(retention.id))
          throw notFound(`the retention policy id ${retention.id} does not match`);
        this.checkRetention(b);
        retention.policy = { ...(b as FakeRetention["policy"]) };
        delete retention.policy.id;
        return ok();
      }
      if (method === "DELETE") {
        this.retentions.delete(retention.id);
        const project = this.projects.get(retention.policy.scope.ref);
        if (project) delete project.metadata.retention_id;
        return ok();
      }
    }

    if ((m = /^\/projects\/([^/]+)\/immutabletagrules(?:\/(\d+))?$/.exec(path))) {
      const project = this.project(decodeURIComponent(m[1]), headers["x-is-resource-name"] === "true");
      const ruleId = m[2] === undefined ? undefined : Number(m[2]);
      if (ruleId === undefined && method === "GET") {
        const rules = [...this.immutableRules.values()].filter((r) => r.projectId === project.project_id);
        return { status: 200, body: rules.map((r) => ({ id: r.id, ...r.rule })), headers: { "X-Total-Count": String(rules.length) } };
      }
      if (ruleId === undefined && method === "POST") {
        const selectors = JSON.stringify([b.tag_selectors, b.scope_selectors]);
        const duplicate = [...this.immutableRules.values()].some(
          (r) => r.projectId === project.project_id && JSON.stringify([r.rule.tag_selectors, r.rule.scope_selectors]) === selectors,
        );
        if (duplicate) throw new HarborError(409, "CONFLICT", "duplicate immutable tag rule");
        const rule: FakeImmutableRule = { id: this.id(), projectId: project.project_id, rule: { ...b } };
        this.immutableRules.set(rule.id, rule);
        return created(`/projects/${m[1]}/immutabletagrules/${rule.id}`);
      }
      const rule = ruleId === undefined ? undefined : this.immutableRules.get(ruleId);
      if (!rule || rule.projectId !== project.project_id) throw notFound(`immutable rule ${ruleId}`);
      if (method === "PUT") {
        if (b.id !== ruleId) throw badRequest("the immutable_rule_id doesn't match the id in the payload body of ImmutableRule");
        const { id: _id, ...rest } = b;
        rule.rule = rest;
        return ok();
      }
      if (method === "DELETE") {
        this.immutableRules.delete(rule.id);
        return ok();
      }
    }

    if (method === "GET" && path === "/robots") {
      const keywords = Object.fromEntries(
        (query.get("q") ?? "")
          .split(",")
          .filter(Boolean)
          .map((kv) => kv.split("=")),
      );
      const level = keywords.Level ?? "system";
      if (level === "project" && !keywords.ProjectID) throw badRequest("must with project ID when to query project robots");
      const robots = [...this.robots.values()].filter(
        (r) => r.level === level && (level === "system" || r.projectId === Number(keywords.ProjectID)),
      );
      return { status: 200, body: robots.map((r) => this.robotView(r)), headers: { "X-Total-Count": String(robots.length) } };
    }
    if (method === "POST" && path === "/robots") return this.createRobot(b);
    if ((m = /^\/robots\/(\d+)$/.exec(path))) {
      const robot = this.robots.get(Number(m[1]));
      if (!robot) throw notFound(`robot ${m[1]}`);
      if (method === "GET") return ok(this.robotView(robot));
      if (method === "PUT") {
        if (b.name !== robot.name || b.level !== robot.level) throw badRequest("cannot update the level or name of robot");
        this.checkRobot(b);
        if (b.duration !== robot.duration) {
          robot.duration = Number(b.duration);
          robot.expires_at = robot.duration === -1 ? -1 : robot.creation + robot.duration * 86_400;
        }
        robot.description = String(b.description ?? "");
        robot.disable = b.disable === true;
        robot.permissions = b.permissions as unknown[];
        return ok();
      }
      if (method === "PATCH") {
        const secret = String(b.secret ?? "");
        if (secret !== "" && !validSecret(secret))
          throw badRequest("the secret must longer than 8 chars with at least 1 uppercase letter, 1 lowercase letter and 1 number");
        robot.secret = secret || this.secret();
        return ok({ secret: secret ? "" : robot.secret });
      }
      if (method === "DELETE") {
        this.robots.delete(robot.id);
        return ok();
      }
    }

    if (path === "/system/gc/schedule") {
      if (method === "GET") {
        if (!this.gcSchedule) return ok();
        const { parameters, ...schedule } = this.gcSchedule;
        return ok({ id: 1, job_name: "GARBAGE_COLLECTION", job_kind: "SCHEDULE", schedule, job_parameters: JSON.stringify(parameters) });
      }
      if (method === "PUT") {
        // Harbor's handler writes into `parameters`; a body without it panics into a 500.
        if (!b.parameters) throw new HarborError(500, "UNKNOWN", "assignment to entry in nil map");
        const schedule = b.schedule as { type: string; cron?: string };
        if (schedule.type === "None") this.gcSchedule = undefined;
        else {
          if (!schedule.cron) throw badRequest("empty cron string for gc schedule");
          this.gcSchedule = { type: schedule.type, cron: schedule.cron, parameters: b.parameters as Record<string, unknown> };
        }
        return ok();
      }
    }

    if (method === "GET" && path === "/scanners") {
      return { status: 200, body: this.scanners, headers: { "X-Total-Count": String(this.scanners.length) } };
    }
    if (method === "PATCH" && (m = /^\/scanners\/([^/]+)$/.exec(path))) {
      const scanner = this.scanners.find((s) => s.uuid === m?.[1]);
      if (!scanner) throw notFound(`scanner ${m[1]}`);
      for (const s of this.scanners) s.is_default = s === scanner && b.is_default === true;
      return ok();
    }
    if (path === "/system/scanAll/schedule") {
      if (!this.scanners.some((s) => s.is_default))
        throw new HarborError(412, "PRECONDITION", "no scanner is configured, it's not possible to scan");
      if (method === "GET") return ok(this.scanAllSchedule ? { schedule: this.scanAllSchedule } : {});
      if (method === "PUT") {
        const schedule = b.schedule as { type: string; cron?: string };
        if (schedule.type === "Manual") throw badRequest("fail to update scan all schedule as wrong schedule type: Manual");
        this.scanAllSchedule = schedule.type === "None" ? undefined : { type: schedule.type, cron: schedule.cron ?? "" };
        return ok();
      }
    }

    throw notFound(`the fake Harbor does not implement ${method} ${path}`);
  }

  private project(nameOrId: string, byName: boolean): FakeProject {
    const project = [...this.projects.values()].find((p) =>
      byName || !/^\d+$/.test(nameOrId) ? p.name === nameOrId : p.project_id === Number(nameOrId),
    );
    if (!project) throw notFound(`project ${nameOrId}`);
    return project;
  }

  private createProject(b: Record<string, unknown>) {
    const name = String(b.project_name ?? "");
    if (!namePattern.test(name)) throw badRequest("project name is not in lowercase or contains illegal characters");
    if ([...this.projects.values()].some((p) => p.name === name))
      throw new HarborError(409, "CONFLICT", `The project named ${name} already exists`);
    const metadata = { public: "false", ...((b.metadata ?? {}) as Record<string, string>) };
    if (!["true", "false"].includes(metadata.public))
      throw badRequest(`metadata.public should only be 'true' or 'false', but got: '${metadata.public}'`);
    const storage = b.storage_limit === undefined ? -1 : Number(b.storage_limit);
    if (storage !== -1 && !(storage > 0)) throw badRequest(`invalid value of storage: ${storage}`);
    const project = this.addProject(name, metadata, storage);
    project.cve_allowlist = {
      items: ((b.cve_allowlist as { items?: { cve_id: string }[] } | undefined)?.items ?? []).map((i) => ({ cve_id: i.cve_id })),
    };
    return { status: 201, headers: { Location: `/api/v2.0/projects/${project.project_id}` } };
  }

  private checkRetention(b: Record<string, unknown>): void {
    const rules = (b.rules ?? []) as Record<string, unknown>[];
    if (rules.length > 15) throw badRequest("only 15 rules are allowed at most");
    const seen = new Set<string>();
    rules.forEach((rule, n) => {
      const { id: _id, ...rest } = rule;
      const key = JSON.stringify(rest);
      if (seen.has(key)) throw new HarborError(409, "CONFLICT", `rule ${n} is conflict with an earlier rule`);
      seen.add(key);
      if (!["latestPushedK", "latestPulledN", "nDaysSinceLastPush", "nDaysSinceLastPull", "always"].includes(String(rule.template)))
        throw badRequest(`rule template ${String(rule.template)} is not supported`);
    });
    const trigger = b.trigger as { kind?: string; settings?: { cron?: string } } | undefined;
    if (trigger?.kind === "Schedule" && (trigger.settings?.cron ?? "").trim().split(/\s+/).length !== 6)
      throw badRequest(`invalid cron ${trigger.settings?.cron}`);
  }

  private createRetention(b: Record<string, unknown>) {
    this.checkRetention(b);
    const scope = b.scope as { level?: string; ref?: number } | undefined;
    if (scope?.level !== "project") throw badRequest(`scope ${scope?.level} is not support`);
    const project = this.projects.get(Number(scope.ref));
    if (!project) throw badRequest(`invalid Project id ${scope.ref}`);
    if (project.metadata.retention_id)
      throw badRequest(`project ${project.project_id} already has retention policy ${project.metadata.retention_id}`);
    const retention: FakeRetention = { id: this.id(), policy: { ...(b as FakeRetention["policy"]) } };
    this.retentions.set(retention.id, retention);
    project.metadata.retention_id = String(retention.id);
    return { status: 201, headers: { Location: `/api/v2.0/retentions/${retention.id}` } };
  }

  private checkRobot(b: Record<string, unknown>): void {
    const duration = Number(b.duration);
    if (!(duration >= -1 && duration < 2 ** 31 - 1)) throw badRequest(`bad request error duration input: ${duration}`);
    if (b.level !== "system" && b.level !== "project") throw badRequest(`bad request error level input: ${String(b.level)}`);
    const permissions = (b.permissions ?? []) as { access?: unknown[] }[];
    if (permissions.length === 0) throw badRequest("bad request empty permission");
    if (permissions.some((p) => (p.access ?? []).length === 0)) throw badRequest("bad request empty access");
    if (b.level === "project" && permissions.length > 1) throw badRequest("bad request permission");
  }

  private createRobot(b: Record<string, unknown>) {
    const name = String(b.name ?? "");
    if (!namePattern.test(name)) throw badRequest("robot name is not in lower case or contains illegal characters");
    this.checkRobot(b);
    const permission = (b.permissions as { namespace: string }[])[0];
    let projectId = 0;
    let fullName = `robot$${name}`;
    if (b.level === "project") {
      projectId = this.project(permission.namespace, true).project_id;
      fullName = `robot$${permission.namespace}+${name}`;
    }
    if ([...this.robots.values()].some((r) => r.name === fullName))
      throw new HarborError(409, "CONFLICT", `robot account ${fullName} already exists`);
    const duration = Number(b.duration);
    const robot: FakeRobot = {
      id: this.id(),
      name: fullName,
      description: String(b.description ?? ""),
      level: String(b.level),
      duration,
      disable: b.disable === true,
      permissions: b.permissions as unknown[],
      projectId,
      secret: typeof b.secret === "string" && b.secret ? b.secret : this.secret(),
      creation: this.now,
      expires_at: duration === -1 ? -1 : this.now + duration * 86_400,
    };
    this.robots.set(robot.id, robot);
    return {
      status: 201,
      headers: { Location: `/api/v2.0/robots/${robot.id}` },
      body: {
        id: robot.id,
        name: robot.name,
        secret: robot.secret,
        creation_time: new Date(robot.creation * 1000).toISOString(),
        expires_at: robot.expires_at,
      },
    };
  }

  private robotView(robot: FakeRobot) {
    return {
      id: robot.id,
      name: robot.name,
      description: robot.description,
      level: robot.level,
      duration: robot.duration,
      editable: true,
      disable: robot.disable,
      expires_at: robot.expires_at,
      permissions: robot.permissions,
    };
  }

  private secret(): string {
    // Harbor's generated secrets are 32 random alphanumerics; the prefix guarantees the policy's classes.
    return `Aa1${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`;
  }
}

/** Starts a fake Harbor; stop it with `close()`. */
export async function startFakeHarbor(swagger: HarborSwagger | undefined, adminPassword?: string): Promise<FakeHarbor> {
  return new FakeHarbor(swagger, adminPassword).start();
}

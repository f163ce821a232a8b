/**
 * A robot account, modelled on the Terraform provider's `harbor_robot_account` (name, description, level,
 * duration, disable, permissions; outputs robot_id, full_name, secret).
 *
 * Harbor returns a robot's secret once, when it is created or refreshed, and never again; it is kept in state as
 * a Pulumi secret. A robot found under the same name (state lost, or a retried create whose answer was lost) is
 * adopted: converged to the args, and its secret refreshed (`PATCH /robots/{id} {"secret": ""}`), since the old
 * one cannot be read back. Harbor refuses to change a robot's name or level, so those replace it; a robot past
 * its expiry can authenticate nothing and is replaced too.
 */
import { HarborApiError, HarborClient } from "./harbor-api";
import { changedFields, harborNamePattern, type ArgProblem, type HarborObject } from "./harbor-object";

export interface RobotAccess {
  /** Harbor RBAC resource, e.g. "repository". */
  readonly resource: string;
  /** e.g. "pull", "push". */
  readonly action: string;
}

export interface RobotPermission {
  /** "project" (namespace is a project name) or "system". */
  readonly kind: "project" | "system";
  readonly namespace: string;
  readonly access: readonly RobotAccess[];
}

export interface RobotAccountArgs {
  /** Short name; Harbor stores it as `robot$<project>+<name>` (project level) or `robot$<name>` (system level). */
  readonly name: string;
  readonly description: string;
  /** A project robot can only ever reach its one project. */
  readonly level: "project" | "system";
  /** Days from creation until the robot stops authenticating; -1 never expires. */
  readonly durationDays: number;
  readonly disabled: boolean;
  readonly permissions: readonly RobotPermission[];
}

export interface RobotAccountState extends RobotAccountArgs {
  readonly robotId: number;
  /** The username clients log in with. */
  readonly fullName: string;
  /** The password clients log in with. Secret; only known from create or refresh. */
  readonly secret: string;
  /** Unix seconds; -1 for never. */
  readonly expiresAt: number;
}

interface HarborRobot {
  id: number;
  name: string;
  description?: string;
  level?: string;
  duration?: number | null;
  disable?: boolean;
  expires_at?: number;
  permissions?: { kind?: string; namespace?: string; access?: { resource?: string; action?: string; effect?: string }[] }[];
}

/** Pure: permissions in a canonical order, as Harbor's Access objects (effect spelled out so reads compare equal). */
export function harborPermissions(permissions: readonly RobotPermission[]) {
  return [...permissions]
    .sort((a, b) => `${a.kind}/${a.namespace}`.localeCompare(`${b.kind}/${b.namespace}`))
    .map((p) => ({
      kind: p.kind,
      namespace: p.namespace,
      access: [...p.access]
        .sort((a, b) => `${a.resource}:${a.action}`.localeCompare(`${b.resource}:${b.action}`))
        .map((a) => ({ resource: a.resource, action: a.action, effect: "allow" })),
    }));
}

/** Pure: permissions in our shape, canonical order, for comparison. */
export function canonicalPermissions(permissions: readonly RobotPermission[]): RobotPermission[] {
  return harborPermissions(permissions).map((p) => ({ ...p, access: p.access.map(({ resource, action }) => ({ resource, action })) }));
}

/** Pure: the RobotCreate body. */
export function robotCreateRequest(args: RobotAccountArgs) {
  return {
    name: args.name,
    description: args.description,
    level: args.level,
    duration: args.durationDays,
    disable: args.disabled,
    permissions: harborPermissions(args.permissions),
  };
}

/** Pure: the Robot body for PUT; Harbor wants the full name it stored and refuses any other. */
export function robotUpdateRequest(args: RobotAccountArgs, robotId: number, fullName: string) {
  return { ...robotCreateRequest(args), id: robotId, name: fullName };
}

/** Pure: how Harbor stores the name, with its default `robot$` prefix. */
export function robotFullName(args: Pick<RobotAccountArgs, "name" | "level" | "permissions">): string {
  return args.level === "project" ? `robot$${args.permissions[0]?.namespace}+${args.name}` : `robot$${args.name}`;
}

/** Pure: a robot Harbor holds, in our shape. */
export function robotState(robot: HarborRobot, secret: string, shortName: string): RobotAccountState {
  return {
    robotId: robot.id,
    fullName: robot.name,
    name: shortName,
    description: robot.description ?? "",
    level: robot.level === "system" ? "system" : "project",
    durationDays: robot.duration ?? -1,
    disabled: robot.disable === true,
    permissions: canonicalPermissions(
      (robot.permissions ?? []).map((p) => ({
        kind: p.kind === "system" ? "system" : "project",
        namespace: p.namespace ?? "",
        access: (p.access ?? []).map((a) => ({ resource: a.resource ?? "", action: a.action ?? "" })),
      })),
    ),
    secret,
    expiresAt: robot.expires_at ?? -1,
  };
}

/** Pure: expired robots authenticate nothing. */
export const isExpired = (expiresAt: number, nowSeconds: number): boolean => expiresAt !== -1 && expiresAt <= nowSeconds;

async function findExisting(client: HarborClient, args: RobotAccountArgs): Promise<HarborRobot | undefined> {
  let q = "Level=system";
  if (args.level === "project") {
    const namespace = args.permissions[0].namespace;
    const project = (await client.request<{ project_id: number }>("GET", `/projects/${encodeURIComponent(namespace)}`, { byName: true }))
      .body;
    q = `Level=project,ProjectID=${project.project_id}`;
  }
  // Match on what follows the prefix: Harbor's robot name prefix is configurable (robot$ by default).
  const suffix = robotFullName(args).slice("robot$".length);
  return (await client.list<HarborRobot>("/robots", { query: { q } })).find((robot) => robot.name.endsWith(`$${suffix}`));
}

async function get(client: HarborClient, robotId: number): Promise<HarborRobot> {
  return (await client.request<HarborRobot>("GET", `/robots/${robotId}`)).body;
}

async function adopt(
  client: HarborClient,
  existing: HarborRobot,
  args: RobotAccountArgs,
): Promise<{ id: string; state: RobotAccountState }> {
  await client.request("PUT", `/robots/${existing.id}`, { body: robotUpdateRequest(args, existing.id, existing.name) });
  const refreshed = await client.request<{ secret?: string }>("PATCH", `/robots/${existing.id}`, { body: { secret: "" } });
  const secret = refreshed.body?.secret;
  if (!secret) throw new Error(`Harbor refreshed the secret of robot ${existing.name} but returned none`);
  return { id: String(existing.id), state: robotState(await get(client, existing.id), secret, args.name) };
}

export const harborRobotAccount: HarborObject<RobotAccountArgs, RobotAccountState> = {
  kind: "robot account",

  validate(args) {
    const problems: ArgProblem[] = [];
    if (!harborNamePattern.test(args.name)) {
      problems.push({ field: "name", reason: `must be lowercase letters, digits and . _ - between them (no +), got "${args.name}"` });
    }
    if (!Number.isInteger(args.durationDays) || (args.durationDays !== -1 && (args.durationDays < 1 || args.durationDays >= 2 ** 31 - 1))) {
      problems.push({ field: "durationDays", reason: `must be -1 (never expires) or a positive number of days, got ${args.durationDays}` });
    }
    if (args.permissions.length === 0) problems.push({ field: "permissions", reason: "must grant something" });
    if (args.level === "project" && (args.permissions.length !== 1 || args.permissions[0].kind !== "project")) {
      problems.push({ field: "permissions", reason: "a project robot takes exactly one permission of kind project (Harbor's rule)" });
    }
    args.permissions.forEach((p, i) => {
      if (p.access.length === 0) problems.push({ field: `permissions[${i}].access`, reason: "must not be empty" });
      if (p.kind === "project" && !harborNamePattern.test(p.namespace)) {
        problems.push({ field: `permissions[${i}].namespace`, reason: `must be a project name, got "${p.namespace}"` });
      }
    });
    return problems;
  },

  async create({ client }, args) {
    const existing = await findExisting(client, args);
    if (existing) return adopt(client, existing, args);
    try {
      const created = (await client.request<{ id: number; secret?: string }>("POST", "/robots", { body: robotCreateRequest(args) })).body;
      if (!created.secret) throw new Error(`Harbor created robot ${args.name} (id ${created.id}) but returned no secret`);
      return { id: String(created.id), state: robotState(await get(client, created.id), created.secret, args.name) };
    } catch (error) {
      if (!(error instanceof HarborApiError && error.conflict)) throw error;
      const raced = await findExisting(client, args);
      if (!raced) throw error;
      return adopt(client, raced, args);
    }
  },

  async read({ client }, id, state) {
    try {
      return robotState(await get(client, Number(id)), state.secret, state.name);
    } catch (error) {
      if (error instanceof HarborApiError && error.notFound) return undefined;
      throw error;
    }
  },

  async update({ client }, id, state, args) {
    await client.request("PUT", `/robots/${id}`, { body: robotUpdateRequest(args, Number(id), state.fullName) });
    return robotState(await get(client, Number(id)), state.secret, args.name);
  },

  async remove({ client }, id) {
    try {
      await client.request("DELETE", `/robots/${id}`);
    } catch (error) {
      if (error instanceof HarborApiError && error.notFound) return;
      throw error;
    }
  },

  diff(state, args) {
    const changes = changedFields<RobotAccountArgs>(state, { ...args, permissions: canonicalPermissions(args.permissions) }, [
      "name",
      "description",
      "level",
      "durationDays",
      "disabled",
      "permissions",
    ]);
    const namespaces = (permissions: readonly RobotPermission[]) =>
      permissions
        .map((p) => `${p.kind}/${p.namespace}`)
        .sort()
        .join(",");
    const replaces: string[] = changes.filter((field) => field === "name" || field === "level");
    if (namespaces(state.permissions) !== namespaces(args.permissions)) replaces.push("permissions");
    if (isExpired(state.expiresAt, Math.floor(Date.now() / 1000))) replaces.push("expiresAt");
    return { changes: changes.length > 0 || replaces.length > 0, replaces };
  },
};

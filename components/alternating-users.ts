/**
 * The rotation of a database credential: two login users with the same grants, `<base>_a` and `<base>_b`, of which
 * consumers use one. A rotation sets a new password on the user not in use, then points the consumers at it: the
 * sessions already open under the other user are never touched, so no connection breaks, and the consumers that have
 * not restarted yet still log in with the old user's unchanged password until the next rotation.
 *
 * In PostgreSQL the grants live on a NOLOGIN group role named `<base>` that both users belong to (INHERIT), so they
 * cannot drift apart. Each user's sessions start as the group (`ALTER ROLE <user> SET role = <base>`), so the tables a
 * migration creates are owned by the group and the other user can use them after the next switch.
 */

export type UserSlot = "a" | "b";

export interface AlternatingUsersState {
  /** The user consumers log in as. */
  readonly active: UserSlot;
  /** When each user's password was last set (RFC 3339). */
  readonly passwordSetAt: Readonly<Record<UserSlot, string>>;
  /** The manual counter the last rotation honoured. */
  readonly counter: number;
}

export interface AlternatingUsersStep {
  readonly rotate: boolean;
  readonly next: AlternatingUsersState;
  /** The user whose password this run sets, when it rotates. */
  readonly changes?: UserSlot;
}

const day = 86_400_000;

/** The login user of a slot. */
export const slotUser = (base: string, slot: UserSlot): string => `${base}_${slot}`;

/** This run's step: rotate when the counter was bumped or the active user's password is `maxAgeDays` old. */
export function alternatingUsersStep(
  state: AlternatingUsersState | undefined,
  input: { readonly counter: number; readonly now: string; readonly maxAgeDays: number },
): AlternatingUsersStep {
  if (!state) return { rotate: false, next: { active: "a", passwordSetAt: { a: input.now, b: input.now }, counter: input.counter } };
  const aged = Date.parse(input.now) >= Date.parse(state.passwordSetAt[state.active]) + input.maxAgeDays * day;
  if (input.counter <= state.counter && !aged) return { rotate: false, next: state };
  const idle: UserSlot = state.active === "a" ? "b" : "a";
  return {
    rotate: true,
    changes: idle,
    next: { active: idle, passwordSetAt: { ...state.passwordSetAt, [idle]: input.now }, counter: Math.max(state.counter, input.counter) },
  };
}

const identifier = /^[a-z_][a-z0-9_]{0,50}$/;

function checkedIdentifier(name: string, what = "database user name"): string {
  if (!identifier.test(name))
    throw new Error(`${what} "${name}" must be lowercase letters, digits and _ (at most 51), starting with a letter or _`);
  return name;
}

/** A SQL string literal; the passwords we generate are alphanumeric, but a quote must never end the literal. */
const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** PostgreSQL: the group role holding the grants and its two login users; safe to run again. */
export function postgresSetupSql(base: string, passwords: Readonly<Record<UserSlot, string>>): string[] {
  const group = checkedIdentifier(base);
  const statements = [
    `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(group)}) THEN CREATE ROLE ${group} NOLOGIN; END IF; END $$`,
  ];
  for (const slot of ["a", "b"] as const) {
    const user = checkedIdentifier(slotUser(base, slot));
    statements.push(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(user)}) THEN CREATE ROLE ${user} LOGIN INHERIT; END IF; END $$`,
      `ALTER ROLE ${user} LOGIN PASSWORD ${literal(passwords[slot])}`,
      `GRANT ${group} TO ${user}`,
      // Objects the user creates belong to the group, not to whichever user ran the migration.
      `ALTER ROLE ${user} SET role = ${literal(group)}`,
    );
  }
  return statements;
}

/**
 * PostgreSQL: the group's rights on its database. On PostgreSQL 15+ only the owner may create in `public`, and
 * DigitalOcean makes its admin the owner of databases created through its API; granted to the group, never a user.
 */
export function postgresGroupGrantSql(base: string, database: string): string[] {
  const group = checkedIdentifier(base);
  const db = checkedIdentifier(database, "database name");
  return [`GRANT ALL PRIVILEGES ON DATABASE ${db} TO ${group}`, `GRANT ALL ON SCHEMA public TO ${group}`];
}

/** PostgreSQL: the one statement a rotation runs. Open sessions of that user keep running; only new logins need it. */
export function postgresRotateSql(base: string, slot: UserSlot, password: string): string {
  return `ALTER ROLE ${checkedIdentifier(slotUser(base, slot))} PASSWORD ${literal(password)}`;
}

/** A privilege grant for a ClickHouse role: privileges in capitals on `<database>.*` or `<database>.<table>`. */
const clickhouseGrant = /^[A-Z]+( [A-Z]+)*(, [A-Z]+( [A-Z]+)*)* ON [a-z_][a-z0-9_]*\.(\*|[a-z_][a-z0-9_]*)$/;

/**
 * ClickHouse: the role `<base>` with the pair's privileges, and its two users with the role as their default; safe
 * to run again (every `IF NOT EXISTS`, then the password set). Run by a user with access management, on a server
 * whose user directories include a writable one (SQL-made users live there, not in users.xml).
 */
export function clickhouseSetupSql(base: string, grants: readonly string[], passwords: Readonly<Record<UserSlot, string>>): string[] {
  const role = checkedIdentifier(base);
  for (const grant of grants) {
    if (!clickhouseGrant.test(grant)) throw new Error(`ClickHouse grant "${grant}" must read like "INSERT, SELECT ON telemetry.*"`);
  }
  const statements = [`CREATE ROLE IF NOT EXISTS ${role}`, ...grants.map((grant) => `GRANT ${grant} TO ${role}`)];
  for (const slot of ["a", "b"] as const) {
    const user = checkedIdentifier(slotUser(base, slot));
    statements.push(
      `CREATE USER IF NOT EXISTS ${user} IDENTIFIED WITH sha256_password BY ${literal(passwords[slot])}`,
      clickhouseRotateSql(base, slot, passwords[slot]),
      `GRANT ${role} TO ${user}`,
      `ALTER USER ${user} DEFAULT ROLE ${role}`,
    );
  }
  return statements;
}

/**
 * ClickHouse: the same pair (`CREATE USER ... DEFAULT ROLE <base>` with the grants on role `<base>`). ClickHouse's
 * HTTP interface authenticates every query, so "open connections" are queries in flight, which a password change
 * does not interrupt.
 */
export function clickhouseRotateSql(base: string, slot: UserSlot, password: string): string {
  return `ALTER USER ${checkedIdentifier(slotUser(base, slot))} IDENTIFIED WITH sha256_password BY ${literal(password)}`;
}

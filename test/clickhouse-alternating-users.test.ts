/**
 * The ClickHouse alternating-users SQL against real ClickHouse grammar (chdb, in-process), as far as chdb allows.
 *
 * What chdb cannot do, and why the session-survives-rotation half is not run here: chdb is clickhouse-local in a
 * library. Its only user directory is a read-only users.xml built in (a `--config-file` is read for server settings,
 * but neither its `<users>` nor its `<user_directories>` are: the directories stay `users_xml`), its `default` user
 * has no access management, and it has no network interface, so no query is ever authenticated by password. CREATE
 * ROLE / CREATE USER therefore fail, and "the old password is refused" cannot be observed in-process. What runs here:
 * every statement the program would send is parsed and re-printed by ClickHouse's own parser (`formatQuery`), and
 * the refusals are asserted exactly, so the day a chdb release accepts them this test says so.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { Session } from "chdb";
import { clickhouseRotateSql, clickhouseSetupSql } from "../components/alternating-users";

let session: Session;

before(() => {
  session = new Session();
});

after(() => {
  const path = session.path;
  session.close();
  rmSync(path, { recursive: true, force: true });
});

const literal = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
/** ClickHouse's parser, re-printing `sql` in its canonical form; throws a syntax error for what it cannot parse. */
const formatted = (sql: string) =>
  (JSON.parse(session.query(`SELECT formatQuery(${literal(sql)})`, "JSONCompact")).data[0][0] as string).trim();

describe("ClickHouse alternating users on chdb", () => {
  const setup = clickhouseSetupSql("otel", ["INSERT, SELECT ON telemetry.*"], { a: "first-a", b: "it's-b" });

  test("every setup and rotation statement is ClickHouse SQL, re-printed unchanged by its parser", () => {
    const plain = clickhouseSetupSql("grafana", ["SELECT ON telemetry.*"], { a: "first-a", b: "first-b" });
    for (const statement of [...setup.filter((s) => !s.includes("'it")), ...plain, clickhouseRotateSql("grafana", "b", "second")]) {
      assert.equal(formatted(statement), statement);
    }
  });

  test("the parser reads what the statements mean: users in the role, the role as their default, sha256 passwords", () => {
    assert.deepEqual(setup.slice(0, 2), ["CREATE ROLE IF NOT EXISTS otel", "GRANT INSERT, SELECT ON telemetry.* TO otel"]);
    const ast = session.query(`EXPLAIN AST ${setup[2]}`, "TSV");
    assert.match(ast, /CreateUserQuery/);
    assert.match(formatted("ALTER USER otel_b IDENTIFIED WITH sha256_password BY 'x'"), /sha256_password/);
    // A quote in a password stays inside the literal: the statement still parses, with the same password.
    const quoted = setup.find((statement) => statement.startsWith("CREATE USER IF NOT EXISTS otel_b"));
    assert.equal(formatted(quoted as string), "CREATE USER IF NOT EXISTS otel_b IDENTIFIED WITH sha256_password BY 'it\\'s-b'");
  });

  test("a statement that is not ClickHouse SQL is refused by the parser, so the check above can fail", () => {
    assert.throws(() => formatted("CREATE ROLE otel IF NOT EXISTS"), /Syntax error/);
  });

  test("chdb itself refuses to create roles and users: the part that needs a server", () => {
    // `default` has no access management; given it (a --config-file), the only storage, users.xml, is read-only.
    assert.throws(() => session.query(setup[0]), /default: Not enough privileges.*CREATE ROLE|ACCESS_STORAGE_FOR_INSERTION_NOT_FOUND/);
    assert.throws(() => session.query(setup[2]), /default: Not enough privileges.*CREATE USER|ACCESS_STORAGE_FOR_INSERTION_NOT_FOUND/);
    assert.equal(session.query("SELECT name FROM system.user_directories", "TSV").trim(), "users_xml");
  });

  test("a grant or name that could end the statement is refused before any SQL is written", () => {
    assert.throws(
      () => clickhouseSetupSql("otel", ["ALL ON *.*; DROP TABLE x"], { a: "a", b: "b" }),
      /ClickHouse grant "ALL ON \*\.\*; DROP TABLE x"/,
    );
    assert.throws(() => clickhouseSetupSql("otel-x", [], { a: "a", b: "b" }), /database user name "otel-x"/);
  });
});

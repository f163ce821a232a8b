/**
 * `serve`: the public status page. `--demo` serves it from an embedded PostgreSQL filled with generated history;
 * `--database-url` from loco's database, whose resurrector schema must already be migrated. The webhook for
 * Grafana's alerts is served only when LOCO_STATUS_WEBHOOK_SECRET is set (and long enough). Runs until SIGINT or
 * SIGTERM, then stops in order: no new requests, the database pool, the embedded server and its directory.
 * Exit codes: 0 stopped on a signal, 1 could not start, 64 bad command line.
 */
import type { Server } from "node:http";
import type { Pool } from "pg";
import { connectDatabase, DatabaseUnavailableError } from "../db/connect";
import { loadEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedDatabase } from "../db/embedded-postgres";
import { createDatabasePool } from "../db/pool";
import { loadDemoHistory } from "../demo/status-history";
import { migrate } from "../schema/migrate";
import { createStatusServer, webhookPath } from "../status-page/server";
import { webhookSecretProblem, webhookSecretVariable } from "../status-page/webhook-auth";
import { failure, type CommandResult } from "./result";

/** The schema version that added the status page's tables. */
const statusSchemaVersion = 2;

export interface ServeCommandOptions {
  readonly demo: boolean;
  readonly databaseUrl?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
}

export interface StatusService {
  readonly url: string;
  readonly webhook: boolean;
  stop(): Promise<void>;
}

export class ServeError extends Error {
  override readonly name = "ServeError";
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new ServeError(
          error.code === "EADDRINUSE" ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

async function demoDatabase(): Promise<EmbeddedDatabase> {
  const database = await startEmbeddedPostgres("status");
  try {
    const client = await connectDatabase(database.url);
    try {
      await migrate(client);
      await loadDemoHistory(client, new Date());
    } finally {
      await client.end();
    }
    return database;
  } catch (error) {
    await database.stop();
    throw error;
  }
}

async function requireStatusSchema(pool: Pool): Promise<void> {
  const { rows } = await pool
    .query<{ version: number | null }>("SELECT max(version) AS version FROM resurrector.schema_migrations")
    .catch((error: { code?: string }) => {
      if (error.code === "42P01" || error.code === "3F000") return { rows: [{ version: null }] };
      throw error;
    });
  const version = rows[0]?.version ?? null;
  if (version === null || version < statusSchemaVersion) {
    throw new ServeError(
      `the resurrector schema is at version ${version ?? "none"}, the status page needs ${statusSchemaVersion}: run npm run resurrector -- migrate first`,
    );
  }
}

/** Starts the page; the caller stops it. */
export async function startStatusService(
  options: ServeCommandOptions,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<StatusService> {
  const secret = env[webhookSecretVariable] || undefined;
  const problem = secret === undefined ? undefined : webhookSecretProblem(secret);
  if (problem) throw new ServeError(problem);
  const database = options.demo ? await demoDatabase() : undefined;
  let pool: Pool | undefined;
  try {
    pool = createDatabasePool(database?.url ?? (options.databaseUrl as string), { applicationName: "loco-resurrector-status" });
    try {
      await requireStatusSchema(pool);
    } catch (error) {
      if (error instanceof ServeError) throw error;
      throw new DatabaseUnavailableError(`cannot read the database: ${(error as Error).message}`);
    }
    const server = createStatusServer({ pool, webhookSecret: secret, log });
    const port = await listen(server, options.port, options.host);
    const openPool = pool;
    return {
      url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}/`,
      webhook: secret !== undefined,
      async stop() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await openPool.end();
        await database?.stop();
      },
    };
  } catch (error) {
    await pool?.end().catch(() => undefined);
    await database?.stop();
    throw error;
  }
}

const stopSignals = ["SIGINT", "SIGTERM"] as const;

/**
 * Takes SIGINT and SIGTERM over until the first arrives (or release). embedded-postgres installs handlers for both
 * that stop its servers and exit at once; serve stops things in order itself, then gives the signals back, so a
 * second Ctrl-C during the stop still ends the process.
 */
function takeOverStopSignals(): { readonly received: Promise<NodeJS.Signals>; release(): void } {
  const previous = new Map(stopSignals.map((signal) => [signal, process.listeners(signal)]));
  for (const signal of stopSignals) process.removeAllListeners(signal);
  let resolveReceived: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveReceived = resolve));
  const release = () => {
    for (const signal of stopSignals) {
      process.removeListener(signal, onSignal);
      for (const listener of previous.get(signal) ?? []) process.on(signal, listener as (signal: NodeJS.Signals) => void);
    }
    previous.clear();
  };
  function onSignal(signal: NodeJS.Signals) {
    release();
    resolveReceived(signal);
  }
  for (const signal of stopSignals) process.on(signal, onSignal);
  return { received, release };
}

export async function serveCommand(
  options: ServeCommandOptions,
  env: NodeJS.ProcessEnv,
  print: { out(line: string): void; err(line: string): void } = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
): Promise<CommandResult> {
  // Its exit hooks must be installed before the takeover, or they would race the orderly stop.
  if (options.demo) await loadEmbeddedPostgres();
  const signals = takeOverStopSignals();
  let service: StatusService;
  try {
    service = await startStatusService(options, env, print.err);
  } catch (error) {
    signals.release();
    if (error instanceof ServeError || error instanceof DatabaseUnavailableError) return failure(1, `resurrector serve: ${error.message}`);
    throw error;
  }
  print.out(
    `Status page on ${service.url} (JSON at ${service.url}api/status)` +
      (options.demo ? ", from an embedded PostgreSQL with generated history" : "") +
      `. Webhook ${service.webhook ? `on at ${webhookPath}` : `off (set ${webhookSecretVariable} to accept Grafana's alerts)`}. Ctrl-C stops it.`,
  );
  const signal = await signals.received;
  await service.stop();
  return { code: 0, stdout: `Stopped on ${signal}.`, stderr: "" };
}

/**
 * `stored`: what the store holds (names, versions, ages, key ids), never a value: the listing reads no sealed
 * column (resurrector/store/stored-records.ts). App names come from loco's database and are printed escaped, as
 * the plan prints them. Exit codes: 0 listed, 1 the store could not be read, 64 usage.
 */
import { connectDatabase } from "../db/connect";
import { LocoSchemaError } from "../db/loco-schema";
import { readResourceNames } from "../db/loco-tables";
import { stableJson } from "../rebuild-plan/format-plan";
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { relativeTime, utcMinute } from "../status-page/time-format";
import { storedRecords, type StoredRecord } from "../store/stored-records";
import { failure, type CommandResult } from "./result";

export interface StoredCommandOptions {
  readonly databaseUrl: string;
  readonly json: boolean;
  /**
   * The clock the ages are measured against.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** A stored record with its app's name from loco's database, when loco still has the app. */
export type NamedStoredRecord = StoredRecord & { readonly app?: { readonly name: string; readonly workspace: string } };

export function formatStored(records: readonly NamedStoredRecord[], now: Date, namesNote?: string): string {
  const environments = records.filter((r) => r.kind === "environment");
  const certificates = records.filter((r) => r.kind === "certificate");
  const keyIds = [...new Set(records.flatMap((r) => [...(r.current ? [r.current.keyId] : []), ...r.versions.map((v) => v.keyId)]))].sort();
  const lines = [
    `The store holds ${environments.length} app environment${environments.length === 1 ? "" : "s"} and ${certificates.length} certificate${
      certificates.length === 1 ? "" : "s"
    }, under key${keyIds.length === 1 ? "" : "s"} ${keyIds.join(", ") || "(none)"}. Values are never shown.`,
  ];
  if (namesNote) lines.push(namesNote);
  for (const record of records) {
    const title =
      record.kind === "environment"
        ? `environment of app ${record.subject}${
            record.app
              ? ` ${JSON.stringify(record.app.name)} (workspace ${JSON.stringify(record.app.workspace)})`
              : " (no longer in loco's database)"
          }`
        : `certificate ${record.subject} for ${(record.dnsNames ?? []).join(", ")}${record.notAfter ? `, expires ${utcMinute(record.notAfter)}` : ""}`;
    lines.push(title);
    if (record.versions.length === 0 && record.current) {
      lines.push(
        `  stored ${utcMinute(record.current.updatedAt)} (${relativeTime(record.current.updatedAt, now)}), key ${record.current.keyId}, no version history yet`,
      );
    }
    for (const [i, version] of record.versions.entries()) {
      const variables = version.variables === undefined ? "" : `, ${version.variables} variable${version.variables === 1 ? "" : "s"}`;
      lines.push(
        `  v${version.version} sealed ${utcMinute(version.sealedAt)} (${relativeTime(version.sealedAt, now)}), key ${version.keyId}${variables}${i === 0 ? " (latest)" : ""}`,
      );
    }
  }
  return lines.map(terminalSafe).join("\n");
}

export async function storedCommand(options: StoredCommandOptions): Promise<CommandResult> {
  const now = (options.now ?? (() => new Date()))();
  let client;
  try {
    client = await connectDatabase(options.databaseUrl);
  } catch (error) {
    return failure(1, `resurrector stored: ${terminalSafe((error as Error).message)}`);
  }
  try {
    const records = await storedRecords(client);
    let names = new Map<string, { name: string; workspace: string }>();
    let namesNote: string | undefined;
    try {
      names = await readResourceNames(
        client,
        records.filter((r) => r.kind === "environment").map((r) => r.subject),
      );
    } catch (error) {
      if (!(error instanceof LocoSchemaError)) throw error;
      namesNote = `App names are not shown: ${error.message}`;
    }
    const named: NamedStoredRecord[] = records.map((record) => {
      const app = record.kind === "environment" ? names.get(record.subject) : undefined;
      return app ? { ...record, app } : record;
    });
    return {
      code: 0,
      stdout: options.json ? stableJson({ records: named, note: namesNote }) : formatStored(named, now, namesNote),
      stderr: "",
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const hint =
      code === "42P01" ? " (the resurrector schema is missing or older than version 4: run `npm run resurrector -- migrate`)" : "";
    return failure(1, `resurrector stored: reading the store failed: ${terminalSafe((error as Error).message)}${hint}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Every platform credential with its rotation kind and who consumes it: the source of the table in
 * docs/credentials.md (`npm run rotate -- table --write`) and of `npm run rotate -- status`.
 *
 * Kinds:
 * - two valid at once: current and previous are both valid during an overlap; consumers use the newer
 *   (components/two-slot-rotation.ts);
 * - alternating users: two database users with the same grants; a rotation re-passwords the one not in use and
 *   switches consumers to it (components/alternating-users.ts);
 * - single: one value replaced create-before-delete; its only consumer restarts with it.
 */
import { rotatingCredentials, type RotatingCredential } from "./rotating-credentials";

export type CredentialKind = "two valid at once" | "alternating users" | "single";

export interface CredentialModel {
  readonly kind: CredentialKind;
  /** Who uses it, and how each picks a new value up. */
  readonly consumers: readonly string[];
  /**
   * How far the program applies the kind today. `replaced` means it is still replaced create-before-delete on
   * rotation (the old value is deleted in the same run), the behaviour before the kind was modelled.
   */
  readonly applied: "yes" | "replaced" | "not yet issued by the program";
  readonly what: string;
}

export const credentialModel: Readonly<Record<RotatingCredential, CredentialModel>> = {
  cloudflareDnsToken: {
    kind: "two valid at once",
    what: rotatingCredentials.cloudflareDnsToken,
    consumers: ["cert-manager DNS-01 solver (its Secret rendered from the active token, read per challenge: no restart needed)"],
    applied: "yes",
  },
  registryBuilderRobot: {
    kind: "two valid at once",
    what: rotatingCredentials.registryBuilderRobot,
    consumers: ["loco API (its env Secret rendered from the active robot; the secret checksum annotation rolls it)"],
    applied: "yes",
  },
  registryPullRobot: {
    kind: "two valid at once",
    what: rotatingCredentials.registryPullRobot,
    consumers: [
      "image pull Secret in loco's namespace, copied to tenant namespaces (read by the kubelet per pull: no restart needed)",
      "loco controller (its env Secret; the secret checksum annotation rolls it)",
    ],
    applied: "yes",
  },
  spacesKeys: {
    kind: "two valid at once",
    what: rotatingCredentials.spacesKeys,
    consumers: [
      "Harbor registry (its storage Secret from the active key; the loco.dev/storage-key-generation annotation rolls it)",
      "ClickHouse backup CronJob (reads its Secret on every run)",
    ],
    applied: "yes",
  },
  locoApiSigningKeys: {
    kind: "two valid at once",
    what: rotatingCredentials.locoApiSigningKeys,
    consumers: [
      "loco API: signs with the active key, verifies with both (mounted Secret; the loco.dev/signing-keys annotation rolls it on each step)",
    ],
    applied: "yes",
  },
  locoApiDatabase: {
    kind: "alternating users",
    what: rotatingCredentials.locoApiDatabase,
    // The controller holds no database credential: it reads Applications from the Kubernetes API only.
    consumers: ["loco API (its DATABASE_URL Secret's checksum annotation rolls its pods onto the other user)"],
    applied: "yes",
  },
  harborDatabaseUser: {
    kind: "alternating users",
    what: rotatingCredentials.harborDatabaseUser,
    consumers: ["Harbor core, jobservice, exporter (the user in the chart's values changes: the chart rolls them)"],
    applied: "yes",
  },
  clickhouseWriterPassword: {
    kind: "alternating users",
    what: rotatingCredentials.clickhouseWriterPassword,
    consumers: ["gateway OTel collector (the user in its config and its pod annotation change: its pods roll onto the other user)"],
    applied: "yes",
  },
  clickhouseReaderPassword: {
    kind: "alternating users",
    what: rotatingCredentials.clickhouseReaderPassword,
    consumers: [
      "Grafana ClickHouse datasource (the user in its provisioning and its pod annotation change: Grafana rolls onto the other user)",
    ],
    applied: "yes",
  },
  clickhouseAdminPassword: {
    // The `default` user is ClickHouse's bootstrap user set from the chart's values: a second admin would have to
    // be created by the first, so it stays one user replaced with the ClickHouse pod it configures.
    kind: "single",
    what: rotatingCredentials.clickhouseAdminPassword,
    consumers: ["ClickHouse server (users.xml from the chart)", "schema migrations (`npm run clickhouse:schema`)"],
    applied: "yes",
  },
  grafanaAdminPassword: {
    // A human login: nothing holds a session that a new password would break.
    kind: "single",
    what: rotatingCredentials.grafanaAdminPassword,
    // Grafana reads its Secret only when it creates its (persisted) database; a rotation goes through its API.
    consumers: ["Grafana (admin login: its Secret seeds a new database, a rotation is changed through Grafana's API)"],
    applied: "yes",
  },
  harborAdminPassword: {
    // Harbor has one admin; its password is changed through the API, and only the platform program uses it.
    kind: "single",
    what: rotatingCredentials.harborAdminPassword,
    consumers: ["this Pulumi program's Harbor provider"],
    applied: "yes",
  },
};

export const modelledCredentialNames = (Object.keys(credentialModel) as RotatingCredential[]).sort();

const cell = (text: string): string => text.replaceAll("|", "\\|");

/** The Markdown table of docs/credentials.md, generated from {@link credentialModel}. */
export function credentialsTable(): string {
  const rows = modelledCredentialNames.map((name) => {
    const model = credentialModel[name];
    return `| \`${name}\` | ${model.kind} | ${cell(model.what)} | ${cell(model.consumers.join("; "))} | ${model.applied} |`;
  });
  return ["| Credential | Kind | What | Consumed by | Applied by the program |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/**
 * Every credential the platform issues and rotates itself, by the name used in `loco:rotation.counters`, with
 * what it is. Config validation rejects a counter for a name not listed here, so a typo in a rotation request
 * fails loudly instead of rotating nothing; `npm run rotate` bumps these counters. In the program the names are a
 * type ({@link RotatingCredential}), so a layer asking for a credential that is not listed does not compile.
 */
export const rotatingCredentials = {
  cloudflareDnsToken: "Cloudflare API token scoped to DNS edit on this zone, used by cert-manager's DNS-01 solver",
  clickhouseAdminPassword: "ClickHouse `default` user: schema migrations, backups, tenant deletion, the writer and reader pairs",
  clickhouseWriterPassword:
    "ClickHouse users otel_a / otel_b (role otel) the gateway collector inserts telemetry with: the idle one is re-passworded, then used",
  clickhouseReaderPassword:
    "ClickHouse users grafana_a / grafana_b (role grafana) Grafana's datasource reads with: the idle one is re-passworded, then used",
  grafanaAdminPassword: "Grafana's `admin` login",
  harborAdminPassword: "Harbor's admin password, changed through Harbor's API (the platform's own Harbor credential)",
  harborDatabaseUser: "Harbor's PostgreSQL users harbor_a / harbor_b (group role harbor): the idle one is re-passworded, then used",
  locoApiDatabase: "loco API's PostgreSQL users loco_a / loco_b (group role loco): the idle one is re-passworded, then used",
  locoApiSigningKeys: "loco API's JWT signing key set: current + previous key pairs with key ids (two-tone JWT secrets)",
  registryBuilderRobot: "Harbor robot account that pushes and pulls tenant images (loco's build infrastructure)",
  registryPullRobot: "Harbor robot account that only pulls tenant images (the cluster's imagePullSecret)",
  spacesKeys: "DigitalOcean Spaces access keys, each read/write on one bucket: Harbor's registry storage, ClickHouse backups",
} as const satisfies Readonly<Record<string, string>>;

/** The name of a credential the platform rotates. */
export type RotatingCredential = keyof typeof rotatingCredentials;

export const rotatingCredentialNames: readonly RotatingCredential[] = (Object.keys(rotatingCredentials) as RotatingCredential[]).sort();

/** Narrows a name read from a command line or a stack file. */
export function isRotatingCredential(name: string): name is RotatingCredential {
  return Object.hasOwn(rotatingCredentials, name);
}

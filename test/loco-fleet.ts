/**
 * A generated loco installation of `n` healthy service apps on one cluster, for the replay's tests and benchmark:
 * 20 apps per workspace, 5 workspaces per organization, one platform hostname each, loco's per-resource defaults
 * in `resources.spec` (routing, region defaults, observability on every third app), and a sealed environment for
 * every even app. Every app is valid by the renderer's and by loco's own rules, so a replay applies them all.
 */
import type { ClientBase } from "pg";
import { seal, type MasterKey } from "../resurrector/crypto/envelope";
import { loadLocoFixture } from "../resurrector/demo/demo-database";
import { migrate } from "../resurrector/schema/migrate";
import { environmentContext } from "../resurrector/store/environments";

export const fleetCluster = "fleet-nyc";

/** The environment stored for app `r` (even r only). */
export const fleetEnvironment = (r: number) => ({ DATABASE_URL: `postgres://app-${r}@db.example/app`, API_KEY: `key-${r}` });

export async function loadFleet(client: ClientBase, n: number, master: MasterKey): Promise<void> {
  await loadLocoFixture(client, false);
  await client.query(`
    INSERT INTO users (id, external_id, email) VALUES (1, 'github:fleet', 'fleet@loco.example');
    INSERT INTO clusters (id, name, region, provider, is_active, is_default) VALUES (1, '${fleetCluster}', 'us-east-1', 'digitalocean', true, true);
    INSERT INTO platform_domains (id, domain, is_active) VALUES (1, 'loco.dev', true), (2, 'us-east-1.loco.dev', true);
    INSERT INTO organizations (id, name, created_by) SELECT o, 'org-' || o, 1 FROM generate_series(1, ${Math.ceil(n / 100)}) o;
    INSERT INTO workspaces (id, org_id, name, created_by) SELECT w, (w - 1) / 5 + 1, 'ws-' || w, 1 FROM generate_series(1, ${Math.ceil(n / 20)}) w;
    INSERT INTO resources (id, workspace_id, name, type, description, status, spec, spec_version)
      SELECT r, (r - 1) / 20 + 1, 'app-' || r, 'service', '', 'healthy',
             jsonb_build_object(
               'routing', jsonb_build_object('port', 8000, 'pathPrefix', '/', 'idleTimeout', 60),
               'regions', jsonb_build_object('us-east-1', jsonb_build_object('enabled', true, 'primary', true, 'cpu', '100m',
                 'memory', '128Mi', 'minReplicas', 1, 'maxReplicas', 2, 'scalers', jsonb_build_object('enabled', true, 'cpuTarget', 70))))
             || CASE WHEN r % 3 = 0 THEN jsonb_build_object('observability', jsonb_build_object(
                  'logging', jsonb_build_object('enabled', true, 'retentionPeriod', '7d'),
                  'metrics', jsonb_build_object('enabled', true, 'path', '/metrics', 'port', 9090),
                  'tracing', jsonb_build_object('enabled', true, 'sampleRate', 0.1))) ELSE '{}'::jsonb END,
             1
      FROM generate_series(1, ${n}) r;
    INSERT INTO resource_regions (id, resource_id, region, is_primary, status) SELECT r, r, 'us-east-1', true, 'active' FROM generate_series(1, ${n}) r;
    INSERT INTO resource_domains (resource_id, domain, domain_source, subdomain_label, platform_domain_id, is_primary)
      SELECT r, 'app-' || r || '.loco.dev', 'platform_provided', 'app-' || r, 1, true FROM generate_series(1, ${n}) r;
    INSERT INTO deployments (resource_id, resource_region_id, cluster_id, region, replicas, status, is_active, message, spec, spec_version)
      SELECT r, r, 1, 'us-east-1', 1, 'running', true, '',
             jsonb_build_object('service', jsonb_build_object(
               'build', jsonb_build_object('type', 'docker', 'image', 'registry.loco.dev/t/app-' || r || ':' || left(md5(r::text), 12)),
               'healthCheck', jsonb_build_object('path', '/health', 'intervalSeconds', 30, 'timeoutSeconds', 5, 'failureThreshold', 3),
               'resources', jsonb_build_object('cpu', '100m', 'memory', '128Mi'),
               'minReplicas', 1, 'maxReplicas', CASE WHEN r % 4 = 0 THEN 4 ELSE 1 END, 'port', 8000)),
             1
      FROM generate_series(1, ${n}) r;
  `);
  await migrate(client);
  await insertSealedEnvironments(client, master, n, fleetEnvironment);
  await client.query("ANALYZE");
}

/** A sealed environment for every even app id up to `n`, in one statement (a fleet of 10,000 loads in a second). */
export async function insertSealedEnvironments(
  client: ClientBase,
  master: MasterKey,
  n: number,
  valuesFor: (resourceId: number) => Record<string, string>,
): Promise<void> {
  const ids: string[] = [];
  const keyIds: string[] = [];
  const wrapped: Buffer[] = [];
  const ciphertexts: Buffer[] = [];
  for (let r = 2; r <= n; r += 2) {
    const sealed = seal(master, Buffer.from(JSON.stringify(valuesFor(r))), environmentContext(String(r)));
    ids.push(String(r));
    keyIds.push(sealed.keyId);
    wrapped.push(sealed.wrappedKey);
    ciphertexts.push(sealed.ciphertext);
  }
  await client.query(
    `INSERT INTO resurrector.tenant_environments (resource_id, key_id, wrapped_key, ciphertext)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[])`,
    [ids, keyIds, wrapped, ciphertexts],
  );
}

-- Demo data for `npm run resurrector -- plan --demo`: a small loco installation with everything a rebuild has to
-- get right or report: two live clusters in two regions and a retired one, history, failed and canceled
-- deployments, suspended resources, services and workers, platform and user-provided domains, and rows that
-- cannot be rendered. Written against loco's schema at e08302e (loco-schema.sql): every NOT NULL column is given.

INSERT INTO users (id, external_id, email, name) VALUES (1, 'github:demo-owner', 'owner@acme.example', 'Demo Owner');

INSERT INTO clusters (id, name, region, provider, is_active, is_default, endpoint, health_status, last_health_check) VALUES
  (1, 'nyc-prod-1', 'us-east-1', 'digitalocean', true, true, 'https://nyc-prod-1.k8s.ondigitalocean.example', 'unhealthy', '2026-11-20T09:58:00Z'),
  (2, 'ams-prod-1', 'eu-west-1', 'digitalocean', true, false, 'https://ams-prod-1.k8s.ondigitalocean.example', 'healthy', '2026-11-20T09:59:00Z'),
  (3, 'nyc-old', 'us-east-1', 'digitalocean', false, false, '', 'unhealthy', '2026-06-01T00:00:00Z');

INSERT INTO organizations (id, name, created_by) VALUES (1, 'acme', 1), (2, 'globex', 1);

INSERT INTO workspaces (id, org_id, name, created_by) VALUES (11, 1, 'storefront', 1), (12, 1, 'internal', 1), (21, 2, 'main', 1);

INSERT INTO platform_domains (id, domain, is_active) VALUES
  (1, 'loco.dev', true),
  (2, 'us-east-1.loco.dev', true),
  (3, 'eu-west-1.loco.dev', true),
  (4, 'old-loco.app', false);

INSERT INTO resources (id, workspace_id, name, type, description, status, spec, spec_version) VALUES
  (101, 11, 'web', 'service', 'storefront', 'healthy', '{}', 1),
  (102, 11, 'api', 'service', 'public API', 'healthy', '{}', 1),
  (103, 11, 'mailer', 'worker', 'sends queued mail', 'healthy', '{}', 1),
  (104, 11, 'sessions', 'cache', '', 'healthy', '{}', 1),
  (105, 11, 'legacy', 'service', '', 'degraded', '{}', 7),
  (106, 11, 'checkout', 'service', '', 'unavailable', '{}', 1),
  (107, 11, 'admin', 'service', '', 'unavailable', '{}', 1),
  (108, 11, 'thumbnailer', 'worker', 'resizes uploads', 'deploying', '{}', 1),
  (121, 12, 'dashboard', 'service', '', 'healthy', '{}', 1),
  (122, 12, 'reports', 'service', '', 'suspended', '{}', 1),
  (123, 12, 'indexer', 'worker', 'rebuilds the search index', 'healthy', '{}', 1),
  (211, 21, 'site', 'service', '', 'healthy', '{}', 1),
  (212, 21, 'blog', 'service', '', 'healthy', '{}', 1),
  (213, 21, 'batch', 'service', '', 'degraded', '{}', 1),
  (214, 21, 'search', 'service', '', 'healthy', '{}', 1);

INSERT INTO resource_regions (id, resource_id, region, is_primary, status) VALUES
  (1001, 101, 'us-east-1', true, 'active'),
  (1002, 102, 'us-east-1', true, 'active'),
  (1003, 102, 'eu-west-1', false, 'active'),
  (1004, 103, 'us-east-1', true, 'active'),
  (1005, 104, 'us-east-1', true, 'active'),
  (1006, 105, 'us-east-1', true, 'degraded'),
  (1007, 106, 'us-east-1', true, 'failed'),
  (1008, 107, 'us-east-1', true, 'failed'),
  (1009, 121, 'us-east-1', true, 'active'),
  (1010, 122, 'us-east-1', true, 'active'),
  (1011, 211, 'us-east-1', true, 'active'),
  (1012, 212, 'us-east-1', true, 'active'),
  (1013, 213, 'us-east-1', true, 'degraded'),
  (1014, 214, 'eu-west-1', true, 'active'),
  (1015, 108, 'us-east-1', true, 'provisioning'),
  (1016, 123, 'us-east-1', true, 'active');

INSERT INTO resource_domains (id, resource_id, domain, domain_source, subdomain_label, platform_domain_id, is_primary) VALUES
  (1, 101, 'web.loco.dev', 'platform_provided', 'web', 1, true),
  (2, 101, 'web.us-east-1.loco.dev', 'platform_provided', 'web', 2, false),
  (3, 101, 'www.acme-shop.com', 'user_provided', NULL, NULL, false),
  (4, 102, 'api-acme.loco.dev', 'platform_provided', 'api-acme', 1, true),
  (5, 102, 'api-acme.eu-west-1.loco.dev', 'platform_provided', 'api-acme', 3, false),
  (6, 121, 'dashboard-acme.loco.dev', 'platform_provided', 'dashboard-acme', 1, true),
  (7, 122, 'reports-acme.loco.dev', 'platform_provided', 'reports-acme', 1, true),
  (8, 211, 'globex.loco.dev', 'platform_provided', 'globex', 1, true),
  (9, 211, 'shop.globex.example', 'user_provided', NULL, NULL, false),
  (10, 212, 'Shop.Globex.example.', 'user_provided', NULL, NULL, false),
  (11, 212, 'blog-globex.loco.dev', 'platform_provided', 'blog-globex', 1, true),
  (12, 212, 'status.loco.dev', 'platform_provided', 'status', 1, false),
  (13, 212, 'news.blog-globex.loco.dev', 'platform_provided', 'news.blog-globex', 1, false),
  (14, 212, 'blog.old-loco.app', 'platform_provided', 'blog', 4, false),
  (15, 214, 'search-globex.eu-west-1.loco.dev', 'platform_provided', 'search-globex', 3, true);

-- Specs: v1 unless noted. A shared good spec, adjusted per row.
INSERT INTO deployments (id, resource_id, resource_region_id, cluster_id, region, replicas, status, is_active, message, spec, spec_version, created_at) VALUES
  -- web: two old deployments (history), the active one scales 2..6 and has a PDB.
  (1, 101, 1001, 3, 'us-east-1', 2, 'succeeded', false, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/web:0b1c2d"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":2,"maxReplicas":4,"port":8000}}', 1, '2026-05-01T10:00:00Z'),
  (2, 101, 1001, 1, 'us-east-1', 2, 'succeeded', false, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/web:3e4f5a"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":2,"maxReplicas":4,"port":8000}}', 1, '2026-10-01T10:00:00Z'),
  (3, 101, 1001, 1, 'us-east-1', 3, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/web:9a8b7c"},"healthCheck":{"path":"/api/health","intervalSeconds":30,"timeoutSeconds":5,"failureThreshold":3,"successThreshold":1},"resources":{"cpu":"250m","memory":"256Mi"},"minReplicas":2,"maxReplicas":6,"port":8000,"region":"us-east-1"}}', 1, '2026-11-02T10:00:00Z'),
  -- api: one replica in each region; the eu-west-1 deployment lives on the other cluster.
  (4, 102, 1002, 1, 'us-east-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/api:1f2e3d"},"healthCheck":{"path":"/healthz","intervalSeconds":10,"timeoutSeconds":2,"failureThreshold":3,"successThreshold":1},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":3000,"region":"us-east-1"}}', 1, '2026-11-03T10:00:00Z'),
  (5, 102, 1003, 2, 'eu-west-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/api:1f2e3d"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":3000,"region":"eu-west-1"}}', 1, '2026-11-03T10:00:00Z'),
  -- mailer: a worker on a Redis list; it may sleep until mail is queued. KEDA reads REDIS_ADDRESS from its stored environment.
  (6, 103, 1004, 1, 'us-east-1', 1, 'running', true, '',
   '{"worker":{"build":{"type":"docker","image":"registry.loco.dev/acme/mailer:aa11bb"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":0,"maxReplicas":4,"queue":{"type":"redis","name":"outgoing-mail","connectionFromEnv":"REDIS_ADDRESS","targetLength":20}}}', 1, '2026-11-04T10:00:00Z'),
  -- Not an app: caches are not rendered by this resurrector.
  (7, 104, 1005, 1, 'us-east-1', 1, 'running', true, '', '{"cache":{"engine":"valkey"}}', 1, '2026-11-04T10:00:00Z'),
  -- A spec_version this resurrector does not know.
  (8, 105, 1006, 1, 'us-east-1', 1, 'running', true, '', '{"app":{"image":"registry.loco.dev/acme/legacy:1"}}', 7, '2026-11-05T10:00:00Z'),
  -- Malformed specs: no image; a port out of range and a CPU quantity Kubernetes rejects.
  (9, 106, 1007, 1, 'us-east-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":2,"port":8080}}', 1, '2026-11-06T10:00:00Z'),
  (10, 107, 1008, 1, 'us-east-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/admin:77aa"},"resources":{"cpu":"lots","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":70000}}', 1, '2026-11-06T10:00:00Z'),
  -- dashboard may sleep (minReplicas 0): woken through the HTTP add-on.
  (11, 121, 1009, 1, 'us-east-1', 0, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/dashboard:c0ffee"},"healthCheck":{"path":"/","intervalSeconds":15,"timeoutSeconds":3,"failureThreshold":3,"successThreshold":1},"resources":{"cpu":"50m","memory":"96Mi"},"minReplicas":0,"maxReplicas":2,"port":5000}}', 1, '2026-11-07T10:00:00Z'),
  -- reports: suspended by loco.
  (12, 122, 1010, 1, 'us-east-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/acme/reports:5150"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":8000}}', 1, '2026-11-07T10:00:00Z'),
  -- site: a user-provided domain next to its platform one.
  (13, 211, 1011, 1, 'us-east-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/globex/site:ab12"},"healthCheck":{"path":"/up","intervalSeconds":20,"timeoutSeconds":5,"failureThreshold":3,"successThreshold":2},"resources":{"cpu":"100m","memory":"192Mi"},"minReplicas":1,"maxReplicas":3,"port":4000}}', 1, '2026-11-08T10:00:00Z'),
  -- blog claims site's user domain (differently written), a platform name, a two-label name and an inactive domain.
  (14, 212, 1012, 1, 'us-east-1', 1, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/globex/blog:cd34"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":2368}}', 1, '2026-11-08T10:00:00Z'),
  -- batch: the active deployment failed, and the one before was canceled.
  (15, 213, 1013, 1, 'us-east-1', 1, 'canceled', false, 'superseded', 
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/globex/batch:0001"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":8000}}', 1, '2026-11-09T09:00:00Z'),
  (16, 213, 1013, 1, 'us-east-1', 1, 'failed', true, 'image pull failed: manifest unknown',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/globex/batch:0002"},"resources":{"cpu":"100m","memory":"128Mi"},"minReplicas":1,"maxReplicas":1,"port":8000}}', 1, '2026-11-09T10:00:00Z'),
  -- search: only in eu-west-1, on the other cluster.
  (17, 214, 1014, 2, 'eu-west-1', 2, 'running', true, '',
   '{"service":{"build":{"type":"docker","image":"registry.loco.dev/globex/search:ef56"},"resources":{"cpu":"500m","memory":"1Gi"},"minReplicas":2,"maxReplicas":5,"port":9200}}', 1, '2026-11-10T10:00:00Z'),
  -- thumbnailer: a worker asking for more memory than any droplet has.
  (18, 108, 1015, 1, 'us-east-1', 1, 'running', true, '',
   '{"worker":{"build":{"type":"docker","image":"registry.loco.dev/acme/thumbnailer:be7a"},"resources":{"cpu":"1","memory":"99999999999Ti"},"minReplicas":1,"maxReplicas":2,"queue":{"type":"rabbitmq","name":"uploads","connectionFromEnv":"AMQP_URL","targetLength":5}}}', 1, '2026-11-11T10:00:00Z'),
  -- indexer: a worker without a queue, scaled on CPU.
  (19, 123, 1016, 1, 'us-east-1', 1, 'running', true, '',
   '{"worker":{"build":{"type":"docker","image":"registry.loco.dev/acme/indexer:f00d"},"resources":{"cpu":"250m","memory":"512Mi"},"minReplicas":1,"maxReplicas":3}}', 1, '2026-11-11T10:00:00Z');

SELECT setval(pg_get_serial_sequence('clusters', 'id'), 100);
SELECT setval(pg_get_serial_sequence('organizations', 'id'), 100);
SELECT setval(pg_get_serial_sequence('workspaces', 'id'), 100);
SELECT setval(pg_get_serial_sequence('platform_domains', 'id'), 100);
SELECT setval(pg_get_serial_sequence('resources', 'id'), 1000);
SELECT setval(pg_get_serial_sequence('resource_regions', 'id'), 10000);
SELECT setval(pg_get_serial_sequence('resource_domains', 'id'), 1000);
SELECT setval(pg_get_serial_sequence('deployments', 'id'), 1000);

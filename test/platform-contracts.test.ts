/**
 * The names layers agree on through lib/, checked against what the plans actually build: a drift between the
 * layer that creates something and the one that uses it (the resurrector's probes, the tenant renderer) fails here.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { kedaHttpInterceptor } from "../lib/keda-http";
import { platformNamespaces } from "../lib/platform-namespaces";
import { sharedGateway } from "../lib/shared-gateway";
import { otelGateway } from "../lib/telemetry-endpoints";
import { userDomainIssuer } from "../lib/tenant-domains";
import { buildPlan, type OfflinePlan } from "../plan/offline-plan";
import { platformWorkloads } from "../resurrector/status/platform-workloads";
import { projectDir } from "./harness";

const objects = (plan: OfflinePlan, kind: string) => plan.manifests.map((m) => m.object).filter((o) => o.kind === kind);
const metadata = (o: Record<string, unknown>) => o.metadata as { name: string; namespace?: string; labels?: Record<string, string> };

for (const stack of ["dev", "prod", "local"]) {
  describe(`cross-layer contracts on ${stack}`, () => {
    let plan: OfflinePlan;
    const planned = async () => (plan ??= await buildPlan(projectDir, stack));

    test("every namespace the status probes look in is one the platform creates", async () => {
      const created = new Set(objects(await planned(), "Namespace").map((n) => metadata(n).name));
      const probed = platformWorkloads.map((w) => w.namespace).filter((n): n is string => n !== undefined);
      assert.deepEqual(
        probed.filter((n) => !created.has(n)),
        [],
      );
      assert.ok(
        Object.values(platformNamespaces).every((n) => created.has(n)),
        "every contract namespace exists",
      );
    });

    test("every HTTPRoute attaches to a listener the shared Gateway has, from a namespace that listener admits", async () => {
      const p = await planned();
      const gateway = objects(p, "Gateway").find((g) => metadata(g).name === sharedGateway.name);
      const listeners = (
        gateway?.spec as {
          listeners: { name: string; allowedRoutes: { namespaces: { selector?: { matchLabels: Record<string, string> } } } }[];
        }
      ).listeners;
      const namespaces = new Map(objects(p, "Namespace").map((n) => [metadata(n).name, metadata(n).labels ?? {}]));
      for (const route of objects(p, "HTTPRoute")) {
        for (const parent of (route.spec as { parentRefs: { name: string; namespace?: string; sectionName: string }[] }).parentRefs) {
          const listener = listeners.find((l) => l.name === parent.sectionName);
          assert.ok(listener, `${metadata(route).name} attaches to unknown listener ${parent.sectionName}`);
          assert.equal(parent.name, sharedGateway.name);
          const required = listener.allowedRoutes.namespaces.selector?.matchLabels ?? {};
          const labels = namespaces.get(metadata(route).namespace ?? "") ?? {};
          for (const [key, value] of Object.entries(required)) {
            assert.equal(labels[key], value, `${metadata(route).namespace}/${metadata(route).name} is not admitted by ${listener.name}`);
          }
        }
      }
    });

    test("the issuer the renderer names for tenants' own domains exists", async () => {
      assert.ok(objects(await planned(), "ClusterIssuer").some((i) => metadata(i).name === userDomainIssuer.name));
    });

    test("the telemetry gateway and the KEDA interceptor are released under the names lib/ promises", async () => {
      const releases = (await planned()).releases;
      const otel = releases.find((r) => r.name === otelGateway.service);
      assert.equal(otel?.namespace, otelGateway.namespace);
      const addOn = releases.find((r) => r.chart === "keda-add-ons-http");
      assert.equal(addOn?.namespace, kedaHttpInterceptor.namespace);
      assert.equal(kedaHttpInterceptor.service, `${addOn?.name}-interceptor-proxy`);
    });
  });
}

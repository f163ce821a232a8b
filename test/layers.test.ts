/**
 * The shape of a stack as a preview shows it: the stack, one component per layer, and below each layer a tree in
 * which every resource is named after its parent. Kubernetes and Helm names are the cluster's, not Pulumi's: they
 * stay the same whatever the components are called.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runStack, type Registered } from "./harness";

const stackType = "pulumi:pulumi:Stack";
const layers = (foundation: string, environment: string) =>
  [foundation, "loco:layer:Loco", "loco:layer:Observability", "loco:layer:Registry", "loco:layer:Traffic"].map(
    (type) => `${type} loco-${environment}`,
  );

/** What sits directly under the stack, as "type name". */
function topLevel(registered: Registered): string[] {
  const stack = registered.one(stackType);
  return registered.all
    .filter((r) => r.type !== stackType && (r.parent === undefined || r.parent === stack.urn))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
}

/** Resources below a layer whose name does not start with their parent's name and a dash. */
function unprefixed(registered: Registered): string[] {
  const stack = registered.one(stackType);
  return registered.all
    .filter((r) => r.parent !== undefined && r.parent !== stack.urn)
    .filter((r) => !r.name.startsWith(`${registered.byUrn(r.parent as string).name}-`))
    .map((r) => `${r.type} ${r.name} (parent ${registered.byUrn(r.parent as string).name})`);
}

const metadataName = (registered: Registered, type: string) =>
  registered
    .ofType(type)
    .map((r) => (r.inputs.metadata as { name: string }).name)
    .sort();
const helmNames = (registered: Registered) =>
  registered.all
    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart")
    .map((r) => String(r.inputs.name))
    .sort();

/** The cluster's names, written out: they must not follow the Pulumi names. */
const platformReleases = [
  "cert-manager",
  "clickhouse",
  "envoy-gateway",
  "envoy-gateway-crds",
  "grafana",
  "harbor",
  "keda",
  "keda-add-ons-http",
  "otel-agent",
  "otel-gateway",
];
const platformNamespaceNames = [
  "cert-manager",
  "envoy-gateway-system",
  "keda",
  "loco-gateway",
  "loco-observability",
  "loco-observability-agent",
  "loco-registry",
  "loco-system",
];

for (const [stack, foundation] of [
  ["dev", "loco:layer:CloudFoundation"],
  ["prod", "loco:layer:CloudFoundation"],
  ["local", "loco:layer:LocalFoundation"],
] as const) {
  describe(`the ${stack} stack as a tree`, () => {
    let registered: Registered;
    const run = async () => (registered ??= await runStack(stack));

    test("the top level is the stack and one component per layer, nothing else", async () => {
      // Providers included: they are the foundation's children, and the layers get them from their parents.
      assert.deepEqual(topLevel(await run()), layers(foundation, stack));
    });

    test("every resource below a layer is named after its parent (`<parent>-<role>`)", async () => {
      assert.deepEqual(unprefixed(await run()), []);
    });

    test("every provider is the foundation's, and every layer's children use the foundation's providers", async () => {
      const r = await run();
      const foundationUrn = r.one(foundation).urn;
      const providers = r.all.filter((resource) => resource.type.startsWith("pulumi:providers:"));
      assert.deepEqual(
        providers.filter((p) => p.parent !== foundationUrn).map((p) => p.urn),
        [],
      );
      const providerUrns = new Set(providers.map((p) => p.urn));
      const elsewhere = r.all.filter((resource) => resource.provider !== undefined && !providerUrns.has(resource.provider));
      assert.deepEqual(
        elsewhere.map((resource) => resource.urn),
        [],
      );
    });

    test("Helm release and namespace names are the cluster's own, whatever the components are called", async () => {
      const r = await run();
      const releases = stack === "local" ? platformReleases : [...platformReleases, "metrics-server"].sort();
      assert.deepEqual(helmNames(r), releases);
      assert.deepEqual(metadataName(r, "kubernetes:core/v1:Namespace"), platformNamespaceNames);
    });
  });
}

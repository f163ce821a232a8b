/**
 * The Helm values the traffic layer sends, checked against the pinned charts' own files in the upstream reference
 * (test/upstream.ts): cert-manager's values.schema.json (strict: unknown keys fail), and for charts without a schema,
 * that every key we set exists in the chart's values.yaml (a typo would be silently ignored by Helm). Without the
 * reference these checks are skipped locally and fail under CI=true; the project never copies it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import Ajv from "ajv";
import { parse } from "yaml";
import { certManagerValues } from "../charts/cert-manager";
import { envoyGatewayValues } from "../charts/envoy-gateway";
import { envoyGatewayCrdsValues } from "../charts/envoy-gateway-crds";
import { kedaValues } from "../charts/keda";
import { kedaHttpAddOnValues } from "../charts/keda-http-add-on";
import { requireUpstream, skipUnlessUpstream } from "./upstream";

const chartFile = (chart: string, file: string) => requireUpstream("charts", chart, file);

const interceptor = {
  minReplicas: 2,
  maxReplicas: 6,
  coldStartTimeoutSeconds: 30,
  requestTimeoutSeconds: 60,
  cpu: "200m",
  memory: "256Mi",
};
const ours: Record<string, Record<string, unknown>[]> = {
  "gateway-helm": [envoyGatewayValues({ replicas: 1 }), envoyGatewayValues({ replicas: 2 })],
  "gateway-crds-helm": [envoyGatewayCrdsValues("install"), envoyGatewayCrdsValues("provided")],
  keda: [kedaValues({ replicas: 1 }), kedaValues({ replicas: 2 })],
  "keda-add-ons-http": [kedaHttpAddOnValues({ interceptor }), kedaHttpAddOnValues({ interceptor: { ...interceptor, minReplicas: 1 } })],
};

/**
 * Paths in `ours` that the chart's defaults do not have. Below an upstream leaf that is an empty map, a list or a
 * scalar (nodeSelector: {}, tolerations: [], resources: {}, affinity: {}), anything goes: that is free-form input.
 */
function unknownPaths(ourValues: unknown, theirs: unknown, path = ""): string[] {
  if (!ourValues || typeof ourValues !== "object" || Array.isArray(ourValues)) return [];
  if (!theirs || typeof theirs !== "object" || Array.isArray(theirs) || Object.keys(theirs).length === 0) return [];
  return Object.entries(ourValues).flatMap(([key, value]) => {
    const here = path ? `${path}.${key}` : key;
    if (!(key in theirs)) return [here];
    return unknownPaths(value, (theirs as Record<string, unknown>)[key], here);
  });
}

describe("Helm values against the pinned charts", () => {
  const skipSchema = skipUnlessUpstream("charts", "cert-manager", "values.schema.json");
  test("cert-manager's values pass its values.schema.json", { skip: skipSchema }, () => {
    const schema = JSON.parse(readFileSync(chartFile("cert-manager", "values.schema.json"), "utf8")) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const replicas of [1, 2]) {
      const values = certManagerValues({ replicas, namespace: "cert-manager" });
      assert.ok(validate(values), JSON.stringify(validate.errors, null, 2));
    }
  });

  test("the schema check catches a typo", { skip: skipSchema }, () => {
    const schema = JSON.parse(readFileSync(chartFile("cert-manager", "values.schema.json"), "utf8")) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    assert.equal(validate({ ...certManagerValues({ replicas: 1, namespace: "cert-manager" }), replicaCuont: 2 }), false);
  });

  for (const [chart, variants] of Object.entries(ours)) {
    test(`every key set for ${chart} exists in its values.yaml`, { skip: skipUnlessUpstream("charts", chart, "values.yaml") }, () => {
      const defaults = parse(readFileSync(chartFile(chart, "values.yaml"), "utf8")) as unknown;
      for (const values of variants) assert.deepEqual(unknownPaths(values, defaults), []);
    });
  }

  test("the key check catches a typo", () => {
    assert.deepEqual(
      unknownPaths(
        { interceptor: { readinesTimeout: "1s", nodeSelector: { a: "b" } } },
        { interceptor: { readinessTimeout: "", nodeSelector: {} } },
      ),
      ["interceptor.readinesTimeout"],
    );
  });
});

/**
 * The replay's pure rules, each against literal expectations: backoff and what is retried, loco's own validation
 * of an Application, the reading of loco's resource spec, and Go's float formatting loco's sample rate goes through.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeFailure } from "../resurrector/kube/api-errors";
import { buildApplication, goFloat, type ApplicationInput } from "../resurrector/replay/loco-application";
import { parseResourceSpec } from "../resurrector/replay/resource-spec";
import { defaultRetryPolicy, isRetryable, retryDelayMs } from "../resurrector/replay/retry-policy";

const failure = (overrides: Partial<KubeFailure>): KubeFailure => ({ message: "x", conflicts: [], connection: false, ...overrides });

describe("retries", () => {
  test("what is tried again, and what is not", () => {
    assert.equal(isRetryable(failure({ connection: true })), true);
    for (const status of [429, 500, 502, 503, 504]) assert.equal(isRetryable(failure({ status })), true, String(status));
    assert.equal(isRetryable(failure({ status: 409 })), true, "a concurrent write");
    assert.equal(
      isRetryable(failure({ status: 409, conflicts: [{ manager: "loco-api", field: ".spec" }] })),
      false,
      "a field manager conflict",
    );
    for (const status of [400, 401, 403, 404, 422]) assert.equal(isRetryable(failure({ status })), false, String(status));
  });

  test("the wait is a random share of a cap that doubles per attempt up to the maximum", () => {
    const policy = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      retryDelayMs(1, failure({ status: 500 }), policy, () => 0.999999),
      99.9999,
    );
    assert.equal(
      retryDelayMs(3, failure({ status: 500 }), policy, () => 0.5),
      200,
    );
    assert.equal(
      retryDelayMs(10, failure({ status: 500 }), policy, () => 0.5),
      500,
    );
    assert.equal(
      retryDelayMs(2, failure({ status: 500 }), policy, () => 0),
      0,
    );
  });

  test("Retry-After is a floor, capped so a server cannot stall the replay for hours", () => {
    assert.equal(
      retryDelayMs(1, failure({ status: 429, retryAfterSeconds: 3 }), defaultRetryPolicy, () => 0.5),
      3000,
    );
    assert.equal(
      retryDelayMs(1, failure({ status: 429, retryAfterSeconds: 86_400 }), defaultRetryPolicy, () => 0.5),
      60_000,
    );
  });
});

describe("Go's %v of a float64", () => {
  test("as loco writes a tracing sample rate", () => {
    assert.deepEqual([0, 1, 0.25, 0.1, 0.0001, 0.00001, 1e-7, 123456, 1e6, 1234567].map(goFloat), [
      "0",
      "1",
      "0.25",
      "0.1",
      "0.0001",
      "1e-05",
      "1e-07",
      "123456",
      "1e+06",
      "1.234567e+06",
    ]);
  });
});

describe("loco's resource spec", () => {
  test("protojson's spellings: camelCase or snake_case, numbers as strings", () => {
    const parsed = parseResourceSpec({
      routing: { path_prefix: "/api", idleTimeout: "30" },
      regions: { "us-east-1": { cpu: "200m", memory: "256Mi", min_replicas: 2, maxReplicas: "4" } },
      observability: { tracing: { enabled: true, sample_rate: "0.5" } },
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.spec.routing, { pathPrefix: "/api", idleTimeout: 30 });
    assert.deepEqual(parsed.spec.regions.get("us-east-1"), {
      cpu: "200m",
      memory: "256Mi",
      minReplicas: 2,
      maxReplicas: 4,
      scalers: undefined,
    });
    assert.equal(parsed.spec.observability?.tracing?.sampleRate, 0.5);
  });

  test("every wrong field is named with its path", () => {
    const parsed = parseResourceSpec({ routing: { idleTimeout: 1.5 }, regions: { eu: "big" }, healthCheck: { path: 3 } });
    assert.deepEqual(!parsed.ok && parsed.problems, [
      "resources.spec.routing.idleTimeout must be an integer (got 1.5)",
      'resources.spec.regions.eu must be an object (got "big")',
      "resources.spec.healthCheck.path must be a string (got 3)",
    ]);
    const notAnObject = parseResourceSpec([]);
    assert.deepEqual(!notAnObject.ok && notAnObject.problems, ["resources.spec must be an object (got [])"]);
  });
});

describe("loco's own rules", () => {
  const input = (
    overrides: Partial<Omit<ApplicationInput["spec"], "kind">> = {},
    environment?: Record<string, string>,
  ): ApplicationInput => ({
    namespace: "loco-system",
    resourceId: "7",
    workspaceId: "3",
    region: "us-east-1",
    spec: {
      kind: "service",
      image: "registry.loco.dev/t/app:1",
      port: 8000,
      cpu: "100m",
      memory: "128Mi",
      minReplicas: 1,
      maxReplicas: 2,
      ...overrides,
    },
    rawSpec: {},
    resourceSpec: { regions: new Map() },
    hostname: "app.loco.dev",
    environment,
  });
  const problems = (result: ReturnType<typeof buildApplication>) => (result.ok ? [] : result.problems);

  test("an app loco accepts builds; each rule loco would break it on is named", () => {
    assert.equal(buildApplication(input()).ok, true);
    assert.deepEqual(problems(buildApplication(input({ port: 80 }))), ["loco refuses it: port 80 is outside loco's 1024 to 65535"]);
    assert.deepEqual(problems(buildApplication(input({ image: "Registry.example/App:1" }))), [
      'loco refuses it: image "Registry.example/App:1" is not in loco\'s image format',
    ]);
    assert.deepEqual(problems(buildApplication(input({ image: "registry.loco.dev/t/app" }))), [
      'loco refuses it: image "registry.loco.dev/t/app" must include a tag or a digest',
    ]);
    assert.deepEqual(problems(buildApplication(input({ cpu: "4", memory: "16Mi", maxReplicas: 12 }))), [
      "loco refuses it: cpu 4 is outside loco's 100m to 2000m",
      "loco refuses it: memory 16Mi is outside loco's 32Mi to 4Gi",
      "loco refuses it: replicas.max 12 exceeds loco's 10",
    ]);
    assert.deepEqual(
      problems(
        buildApplication(
          input({ healthCheck: { path: "/h", intervalSeconds: 2, timeoutSeconds: 90, failureThreshold: 20, successThreshold: 1 } }),
        ),
      ),
      [
        "loco refuses it: healthCheck.interval 2 is below 5 seconds",
        "loco refuses it: healthCheck.timeout 90 exceeds 60 seconds",
        "loco refuses it: healthCheck.failThreshold 20 is outside 1 to 10",
      ],
    );
    assert.deepEqual(problems(buildApplication(input({}, { "BAD-NAME": "x", EMPTY: "" }))), [
      "loco refuses it: environment variable names loco refuses: BAD-NAME",
      "loco refuses it: environment variables with empty values (loco refuses them): EMPTY",
    ]);
  });

  test("an id beyond 2^53 is refused rather than written rounded", () => {
    assert.match(
      problems(buildApplication({ ...input(), resourceId: "9007199254740993" })).join("; "),
      /resources\.id 9007199254740993 is beyond/,
    );
  });
});

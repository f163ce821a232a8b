import assert from "node:assert/strict";
import { createServer as createHttpsServer } from "node:https";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { generate } from "selfsigned";
import { backoffDelay, HarborApiError, HarborClient, harborErrorMessage, isRetryableStatus } from "../registry/harbor-api";
import { adminPassword, fastRetry, hangRetry, requireSwagger, swaggerSkipReason, withHarbor } from "./harbor-test-kit";

/** Runs `call` and returns the HarborApiError it throws. */
async function failure(call: () => Promise<unknown>): Promise<HarborApiError> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof HarborApiError, `expected a HarborApiError, got ${String(error)}`);
    return error;
  }
  assert.fail("the call succeeded");
}

describe("Harbor API client: errors", () => {
  test("a 4xx is not retried and carries Harbor's own message, the method and the path", async () => {
    await withHarbor(async (fake, { client }) => {
      fake.fail({ method: "POST", path: /\/projects$/, status: 400, message: "project name is not in lowercase" });
      const error = await failure(() => client.request("POST", "/projects", { body: { project_name: "Tenants" } }));
      assert.equal(error.status, 400);
      assert.match(
        error.message,
        /^Harbor POST \/api\/v2\.0\/projects failed: 400 FAULT: project name is not in lowercase \(request id fake-request\)$/,
      );
      assert.equal(fake.requestsTo("POST", /\/projects$/).length, 1);
    });
  });

  test("429 is retried, honouring Retry-After, and then succeeds", async () => {
    await withHarbor(async (fake, { client }) => {
      fake.fail({ method: "GET", path: /\/users\/current$/, status: 429, headers: { "Retry-After": "0" }, times: 2 });
      const response = await client.request<{ username: string }>("GET", "/users/current");
      assert.equal(response.body.username, "admin");
      assert.equal(fake.requestsTo("GET", /\/users\/current$/).length, 3);
    });
  });

  test("5xx is retried a bounded number of times, then given up with Harbor's message and the attempt count", async () => {
    await withHarbor(async (fake, { client }) => {
      fake.fail({ status: 503, message: "core is starting", times: 10 });
      const error = await failure(() => client.request("GET", "/users/current"));
      assert.equal(error.status, 503);
      assert.equal(error.attempts, fastRetry.attempts);
      assert.match(error.message, /failed after 3 attempts: 503 FAULT: core is starting/);
      assert.equal(fake.requests.length, fastRetry.attempts);
    });
  });

  test("501 is not retried: it will not start working", async () => {
    await withHarbor(async (fake, { client }) => {
      fake.fail({ status: 501, times: 10 });
      await failure(() => client.request("GET", "/users/current"));
      assert.equal(fake.requests.length, 1);
    });
  });

  test("a request that never answers times out, is retried, and is reported as a timeout", async () => {
    await withHarbor(async (fake) => {
      const client = new HarborClient({ url: fake.url, username: "admin", password: adminPassword }, hangRetry);
      fake.fail({ hang: true, times: 10 });
      const error = await failure(() => client.request("GET", "/users/current"));
      assert.equal(error.status, 0);
      assert.match(error.message, /failed after 3 attempts: no answer within 300 ms/);
      assert.equal(fake.requests.length, 3);
    });
  });

  test("a hang followed by an answer succeeds on retry", async () => {
    await withHarbor(async (fake) => {
      const client = new HarborClient({ url: fake.url, username: "admin", password: adminPassword }, hangRetry);
      fake.fail({ hang: true, times: 1 });
      assert.equal((await client.request<{ user_id: number }>("GET", "/users/current")).body.user_id, 1);
    });
  });

  test("a refused connection is retried and reported with its cause", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address() as { port: number };
        probe.close(() => resolve(address.port));
      });
    });
    const client = new HarborClient({ url: `http://127.0.0.1:${port}`, username: "admin", password: adminPassword }, fastRetry);
    const error = await failure(() => client.request("GET", "/users/current"));
    assert.equal(error.status, 0);
    assert.match(error.message, /after 3 attempts: .*ECONNREFUSED/);
  });

  test("a certificate this machine does not trust fails at once, saying how to trust the staging or local root", async () => {
    const { cert, private: key } = await generate([{ name: "commonName", value: "127.0.0.1" }], {
      keyType: "ec",
      algorithm: "sha256",
      extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
    });
    const server = createHttpsServer({ cert, key }, (_request, response) => response.end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = new HarborClient({ url: `https://127.0.0.1:${port}`, username: "admin", password: adminPassword }, fastRetry);
      const error = await failure(() => client.request("GET", "/users/current"));
      assert.equal(error.attempts, 1, "not retried: waiting does not make a certificate trusted");
      assert.match(error.message, /not trusted by the machine running pulumi up \(DEPTH_ZERO_SELF_SIGNED_CERT\).*NODE_EXTRA_CA_CERTS/);
    } finally {
      server.close();
    }
  });

  test("no error message ever contains the password or the Authorization header", async () => {
    await withHarbor(async (fake, { client }) => {
      fake.fail({ status: 500, times: 10 });
      const error = await failure(() =>
        client.request("PUT", "/users/1/password", { body: { old_password: adminPassword, new_password: "Secret123x" } }),
      );
      for (const leaked of [adminPassword, "Secret123x", Buffer.from(`admin:${adminPassword}`).toString("base64")]) {
        assert.ok(!error.message.includes(leaked) && !String(error.stack).includes(leaked), `${leaked} leaked into the error`);
      }
    });
  });

  test("wrong credentials are a 401 with Harbor's message, not retried", async () => {
    await withHarbor(async (fake) => {
      const client = new HarborClient({ url: fake.url, username: "admin", password: "wrong" }, fastRetry);
      const error = await failure(() => client.request("GET", "/users/current"));
      assert.equal(error.status, 401);
      assert.match(error.message, /401 UNAUTHORIZED: unauthorized/);
      assert.equal(fake.requests.length, 1);
    });
  });
});

describe("Harbor API client: pure parts", () => {
  test("backoff doubles, is capped, and never undercuts Retry-After (itself capped)", () => {
    const policy = { attempts: 7, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 30_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(policy, retry)),
      [1000, 2000, 4000, 8000, 16000, 30000],
    );
    assert.equal(backoffDelay(policy, 1, 10), 10_000);
    assert.equal(backoffDelay(policy, 1, 3600), 30_000);
    assert.equal(backoffDelay(policy, 3, 1), 4000);
  });

  test("retryable statuses: 429 and 5xx except 501", () => {
    assert.deepEqual([400, 401, 404, 409, 412, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus), [429, 500, 502, 503, 504]);
  });

  test("Harbor's error body is unpacked; anything else falls back to the status text", () => {
    assert.equal(harborErrorMessage(409, "Conflict", '{"errors":[{"code":"CONFLICT","message":"exists"}]}'), "CONFLICT: exists");
    assert.equal(harborErrorMessage(502, "Bad Gateway", "<html>nginx</html>"), "Bad Gateway");
    assert.equal(harborErrorMessage(500, "", ""), "HTTP 500");
  });
});

describe("the schema check itself", () => {
  test("is on when Harbor's swagger is in the upstream reference", { skip: swaggerSkipReason }, () => {
    assert.ok(requireSwagger().operationFor("POST", "/api/v2.0/projects"));
  });

  test("a request Harbor's swagger does not allow is refused and recorded", { skip: swaggerSkipReason }, async () => {
    const { startFakeHarbor } = await import("./fake-harbor");
    const fake = await startFakeHarbor(requireSwagger(), adminPassword);
    try {
      const client = new HarborClient({ url: fake.url, username: "admin", password: adminPassword }, fastRetry);
      // Booleans where Harbor wants strings, and a misspelt key Harbor would silently drop.
      const error = await failure(() =>
        client.request("POST", "/projects", { body: { project_name: "x", metadata: { public: false, autoscan: "true" } } }),
      );
      assert.equal(error.status, 422);
      assert.match(fake.schemaProblems.join("\n"), /metadata\/public must be string/);
      assert.match(fake.schemaProblems.join("\n"), /additional properties \(autoscan\)/);
    } finally {
      await fake.close();
    }
  });

  test("a path parameter of the wrong type and an unknown operation are refused", { skip: swaggerSkipReason }, () => {
    const swagger = requireSwagger();
    const request = (method: string, path: string) => ({ method, path, query: new URLSearchParams(), headers: {} });
    assert.match(swagger.validate(request("GET", "/api/v2.0/robots/builder")).join(), /robot_id must be an integer/);
    assert.match(swagger.validate(request("DELETE", "/api/v2.0/system/gc")).join(), /no such operation/);
  });

  test("go-swagger's untyped objects accept the values Harbor's own UI sends", { skip: swaggerSkipReason }, () => {
    const problems = requireSwagger().validate({
      method: "PUT",
      path: "/api/v2.0/system/gc/schedule",
      query: new URLSearchParams(),
      headers: {},
      body: JSON.stringify({ schedule: { type: "Custom", cron: "0 0 4 * * *" }, parameters: { delete_untagged: true, workers: 1 } }),
    });
    assert.deepEqual(problems, []);
  });
});

describe("the fake's request contract (checked with or without the swagger)", () => {
  test("a misspelt field is refused and recorded even without Harbor's swagger", async () => {
    const { startFakeHarbor } = await import("./fake-harbor");
    const fake = await startFakeHarbor(undefined, adminPassword);
    try {
      const client = new HarborClient({ url: fake.url, username: "admin", password: adminPassword }, fastRetry);
      const refused = async (method: string, path: string, body: unknown) =>
        (await failure(() => client.request(method, path, { body }))).status;
      assert.equal(await refused("POST", "/projects", { project_name: "x", metadata: { auto_scna: "true" } }), 422);
      // Untyped in the swagger, so only the contract can catch these.
      assert.equal(await refused("PUT", "/system/gc/schedule", { schedule: { type: "None" }, parameters: { delete_untaged: true } }), 422);
      const rule = {
        disabled: false,
        action: "retain",
        template: "latestPushedK",
        params: { latestPushed: 2 },
        tag_selectors: [{ kind: "doublestar", decoration: "matches", pattern: "**" }],
        scope_selectors: { repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: "**" }] },
      };
      const policy = {
        algorithm: "or",
        rules: [rule],
        trigger: { kind: "Schedule", setting: { cron: "0 0 2 * * *" } },
        scope: { level: "project", ref: 1 },
      };
      assert.equal(await refused("POST", "/retentions", policy), 422);
      assert.deepEqual(fake.schemaProblems, [
        "POST /api/v2.0/projects: body.metadata.auto_scna is not a field Harbor reads",
        "PUT /api/v2.0/system/gc/schedule: body.parameters.delete_untaged is not a field Harbor reads",
        'POST /api/v2.0/retentions: body.rules.0.params: template latestPushedK reads exactly {"latestPushedK": <integer>}, got {latestPushed}',
        "POST /api/v2.0/retentions: body.trigger.settings: Invalid input: expected object, received undefined",
        "POST /api/v2.0/retentions: body.trigger.setting is not a field Harbor reads",
      ]);
    } finally {
      await fake.close();
    }
  });

  test("an unknown query parameter, a missing body and an endpoint the providers do not use are refused", async () => {
    const { contractProblems } = await import("./harbor-request-contract");
    const request = (method: string, path: string, query = "", body?: string) => ({
      method,
      path,
      query: new URLSearchParams(query),
      body,
    });
    assert.deepEqual(contractProblems(request("GET", "/robots", "q=Level%3Dsystem&page=1&pagesize=100")), [
      "GET /api/v2.0/robots: unknown query parameter pagesize",
    ]);
    assert.deepEqual(contractProblems(request("GET", "/quotas", "reference_id=abc")), [
      'GET /api/v2.0/quotas: query parameter reference_id must be an integer, got "abc"',
    ]);
    assert.deepEqual(contractProblems(request("PUT", "/quotas/3")), ["PUT /api/v2.0/quotas/3: a body is required"]);
    assert.deepEqual(contractProblems(request("GET", "/robots/builder")), [
      "GET /api/v2.0/robots/builder: not an endpoint the providers use (add it to test/harbor-request-contract.ts if they now do)",
    ]);
  });

  test("every endpoint in the contract is an operation of Harbor's API", { skip: swaggerSkipReason }, async () => {
    const { harborRequestContract } = await import("./harbor-request-contract");
    const swagger = requireSwagger();
    const missing = harborRequestContract
      .map((endpoint) => ({ endpoint, path: `/api/v2.0${endpoint.path.replace(/\{[^}:]+:int\}/g, "7").replace(/\{[^}]+\}/g, "x")}` }))
      .filter(({ endpoint, path }) => !swagger.operationFor(endpoint.method, path))
      .map(({ endpoint }) => `${endpoint.method} ${endpoint.path}`);
    assert.deepEqual(missing, []);
  });
});

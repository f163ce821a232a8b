/**
 * Shared set-up for the Harbor provider tests: a fake Harbor per test, a session with fast retries, and the
 * check every test ends with, that no request broke Harbor's swagger.
 */
import assert from "node:assert/strict";
import type { RetryPolicy } from "../registry/harbor-api";
import { session, type HarborSession } from "../registry/harbor-object";
import { startFakeHarbor, type FakeHarbor } from "./fake-harbor";
import { HarborSwagger } from "./harbor-swagger";
import { requireUpstream, skipUnlessUpstream } from "./upstream";

/** Harbor's swagger when the upstream reference has it; the fake checks its own request contract either way. */
export const swagger = HarborSwagger.load();

/** The `skip` option of a test about the swagger check itself (test/upstream.ts: never skipped under CI). */
export const swaggerSkipReason = skipUnlessUpstream("harborSwagger");

/** The swagger, for the body of a swagger-only test: present, or an error saying what is missing and how to provide it. */
export function requireSwagger(): HarborSwagger {
  return swagger ?? (HarborSwagger.load(requireUpstream("harborSwagger")) as HarborSwagger);
}

/**
 * Retries without waiting, and a per-request limit generous enough that a loaded machine never turns a slow answer
 * into a retry (which would consume an injected fault and change what a test sees).
 */
export const fastRetry: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 10_000 };

/** For the tests of hangs themselves: a short per-request limit, so a request that never answers times out fast. */
export const hangRetry: RetryPolicy = { ...fastRetry, timeoutMs: 300 };

export const adminPassword = "Harbor12345";

/** Runs `body` against a fresh fake Harbor and fails if any request the code under test sent broke the swagger. */
export async function withHarbor(body: (fake: FakeHarbor, harbor: HarborSession) => Promise<void>): Promise<void> {
  const fake = await startFakeHarbor(swagger, adminPassword);
  try {
    await body(fake, session({ url: fake.url, username: "admin", password: adminPassword }, fastRetry));
    assert.deepEqual(fake.schemaProblems, [], "requests that Harbor's swagger does not allow");
  } finally {
    await fake.close();
  }
}

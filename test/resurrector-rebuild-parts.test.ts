/**
 * The rebuild's pure and small parts on their own: the limits (cooldown, daily maximum, their validation), verify's
 * route checks (which hostname, what "answers" means, the concurrency bound, the timeout), and which preserved
 * certificates go through converge's config.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generateMasterKey, parseMasterKey, seal } from "../resurrector/crypto/envelope";
import type { DomainRecord } from "../resurrector/db/records";
import { limitRefusal, rebuildLimits } from "../resurrector/rebuild/rebuild-limits";
import { certificatePlan, platformCertificatesForConfig } from "../resurrector/rebuild/restore-certificates";
import { routeHostnames, verifyRebuild } from "../resurrector/rebuild/verify-rebuild";
import { certificateContext, type SealedCertificate } from "../resurrector/store/certificates";

const now = new Date("2026-11-22T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() - n * 60_000);

describe("rebuild limits", () => {
  const limits = rebuildLimits({ cooldownMinutes: 60, maxPerDay: 2 });

  test("a first rebuild may start", () => {
    assert.equal(limitRefusal({ startedSince: 0 }, now, limits), undefined);
  });

  test("the cooldown counts from when the last rebuild finished", () => {
    assert.equal(
      limitRefusal({ startedSince: 1, lastFinishedAt: minutes(45) }, now, limits),
      "cooldown: the last rebuild finished at 2026-11-22T11:15:00.000Z, another may start in 15 min (cooldown 60 min)",
    );
    assert.equal(limitRefusal({ startedSince: 1, lastFinishedAt: minutes(60) }, now, limits), undefined);
  });

  test("the daily maximum counts rebuilds started in the last 24 hours", () => {
    assert.equal(
      limitRefusal({ startedSince: 2, lastFinishedAt: minutes(120) }, now, limits),
      "daily maximum: 2 rebuilds started in the last 24 hours (at most 2)",
    );
  });

  test("defaults, and a limit out of range named by its field", () => {
    assert.deepEqual(rebuildLimits(), { cooldownMinutes: 60, maxPerDay: 2, maxPhaseAttempts: 3 });
    assert.throws(
      () => rebuildLimits({ maxPerDay: 0 }),
      /^RangeError: rebuild limit maxPerDay must be a whole number from 1 to 24 \(got 0\)$/,
    );
    assert.throws(() => rebuildLimits({ cooldownMinutes: 1.5 }), /rebuild limit cooldownMinutes must be a whole number/);
  });
});

const domain = (id: string, resourceId: string, name: string, isPrimary: boolean): DomainRecord => ({
  id,
  resourceId,
  domain: name,
  source: "platform_provided",
  subdomainLabel: null,
  platformDomainId: null,
  isPrimary,
});

describe("verify", () => {
  const domains = [
    domain("1", "7", "seven-alt.loco.dev", false),
    domain("2", "7", "Seven.loco.dev.", true),
    domain("3", "8", "eight.loco.dev", false),
    domain("4", "9", "nine.loco.dev", true),
  ];

  test("each replayed app's primary hostname (else its first), normalized; apps not replayed are left out", () => {
    assert.deepEqual(
      [...routeHostnames(["7", "8"], domains)],
      [
        ["7", "seven.loco.dev"],
        ["8", "eight.loco.dev"],
      ],
    );
  });

  test("an answer below 500 counts; a 5xx, a refused connection and a timeout do not; at most `concurrency` at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const answers: Record<string, () => Promise<Response>> = {
      "https://seven.loco.dev/": async () => new Response("", { status: 404 }),
      "https://eight.loco.dev/": async () => new Response("", { status: 502 }),
      "https://nine.loco.dev/": () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } })),
    };
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const answer = answers[String(input)];
        if (answer) return await answer();
        // Never answers: only the timeout ends it. AbortSignal.timeout's timer does not keep the process alive, as a
        // real request's socket would: this timer stands in for the socket.
        return await new Promise<Response>((_, reject) => {
          const socket = setTimeout(() => reject(new Error("the timeout never fired")), 10_000);
          init?.signal?.addEventListener("abort", () => {
            clearTimeout(socket);
            reject(init.signal?.reason);
          });
        });
      } finally {
        inFlight -= 1;
      }
    };
    const report = await verifyRebuild({
      clusterHealth: async () => ({ health: "degraded", detail: "certificates: renews in 10 days" }),
      replayed: ["7", "8", "9", "10", "11"],
      domains: [...domains, domain("5", "10", "ten.loco.dev", true)],
      fetch,
      concurrency: 2,
      timeoutMs: 200,
    });
    assert.equal(peak, 2);
    assert.deepEqual(report.routes.failed, [
      { resourceId: "10", hostname: "ten.loco.dev", ok: false, detail: "no answer within 200 ms" },
      { resourceId: "8", hostname: "eight.loco.dev", ok: false, detail: "HTTP 502" },
      { resourceId: "9", hostname: "nine.loco.dev", ok: false, detail: "ECONNREFUSED" },
    ]);
    assert.deepEqual([report.routes.checked, report.routes.answered, report.withoutRoute], [4, 1, 1]);
    assert.deepEqual(report.problems, [
      "3 of 4 routes do not answer: ten.loco.dev (no answer within 200 ms), eight.loco.dev (HTTP 502), nine.loco.dev (ECONNREFUSED)",
    ]);
    assert.equal(report.health, "degraded", "degraded is reported, not a problem");
  });

  test("a cluster that is down is a problem even when every route answers", async () => {
    const report = await verifyRebuild({
      clusterHealth: async () => ({ health: "down", detail: "api: connection refused" }),
      replayed: [],
      domains: [],
    });
    assert.deepEqual(report.problems, ["the cluster is down: api: connection refused"]);
  });
});

describe("which certificates go through converge's config", () => {
  const master = parseMasterKey(generateMasterKey());
  const sealed = (namespace: string, secretName: string, notAfter: Date): SealedCertificate => {
    const secret = {
      type: "kubernetes.io/tls",
      data: { "tls.crt": Buffer.from(`crt ${secretName}`).toString("base64"), "tls.key": Buffer.from("key").toString("base64") },
      labels: {},
      annotations: {},
    };
    return {
      namespace,
      secretName,
      dnsNames: ["x"],
      notAfter,
      updatedAt: now,
      ...seal(master, Buffer.from(JSON.stringify(secret)), certificateContext(namespace, secretName)),
    };
  };
  const later = new Date(now.getTime() + 86_400_000);
  const certificates = [
    sealed("loco-gateway", "loco-public-tls", later),
    sealed("loco-gateway", "loco-old-tls", minutes(1)),
    sealed("w1-shop", "tls-shop.example", later),
  ];

  test("the platform's certificate, as PEM; tenants' by apply; expired ones neither", () => {
    assert.deepEqual(platformCertificatesForConfig(certificates, master, now), {
      "loco-public-tls": { "tls.crt": "crt loco-public-tls", "tls.key": "key" },
    });
    const plan = certificatePlan(certificates, now);
    assert.deepEqual(
      [plan.viaConfig, plan.toApply.map((c) => c.secretName), plan.expired],
      [["loco-gateway/loco-public-tls"], ["tls-shop.example"], ["loco-gateway/loco-old-tls"]],
    );
  });

  test("an expired platform certificate is not handed over (the config would refuse the whole up)", () => {
    assert.deepEqual(platformCertificatesForConfig([sealed("loco-gateway", "loco-public-tls", minutes(1))], master, now), {});
  });
});

/**
 * A whole "two valid at once" rotation of the dev stack, run by run under the mocks: each run is fed the `rotation`
 * output the previous successful run recorded (as the stack's StackReference to itself reads it), and each run's
 * view is checked: which robots, DNS tokens, Spaces keys and signing keys exist, and what each consumer sees (the
 * pull secret, the builder's credentials, cert-manager's token Secret, Harbor's storage key, the API's key files).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cloudPlaceholders } from "../plan/cloud-placeholders";
import { runStack, secretValue, type Registered } from "./harness";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const day = 86_400_000;
const start = Date.parse("2026-03-01T04:00:00Z");
const at = (days: number, hours = 0) => new Date(start + days * day + hours * 3_600_000).toISOString();
const rotated = ["cloudflareDnsToken", "registryBuilderRobot", "registryPullRobot", "spacesKeys", "locoApiSigningKeys"] as const;

/** One run of the dev stack at `now`, with every two-slot counter at `counter`, stepping from `previous`. */
async function run(now: string, counter: number, previous: unknown): Promise<Registered> {
  const counters = Object.fromEntries(rotated.map((name) => [name, counter]));
  return runStack(
    "dev",
    { "loco:rotation": { maxAgeDays: 30, overlapHours: 24, counters, now } },
    previous === undefined ? undefined : { rotation: previous },
  );
}

const generation = (name: unknown) => String(name).match(/g(\d+)$/)?.[1] ?? `unnamed ${String(name)}`;

function secretData(registered: Registered, name: string): Record<string, string> {
  const found = registered
    .ofType("kubernetes:core/v1:Secret")
    .filter((secret) => String((secret.inputs.metadata as Any).name).endsWith(name));
  assert.equal(found.length, 1, `one Secret named *${name}`);
  return secretValue(found[0].inputs.stringData) as Record<string, string>;
}

/** The Harbor-assigned value a mock gives a resource (plan/cloud-placeholders.ts), by the resource's own name. */
const placeholder = (type: string, resource: Any, key: string) => cloudPlaceholders(type, resource.name, resource.inputs).state[key];

/** What exists and what each consumer sees after one run. */
function view(registered: Registered) {
  const robots = registered
    .ofType("pulumi-nodejs:dynamic/harbor:RobotAccount")
    .map((r) => String(r.inputs.name))
    .sort();
  const tokens = registered.ofType("cloudflare:index/apiToken:ApiToken");
  const keys = registered.ofType("digitalocean:index/spacesKey:SpacesKey");
  const pairs = registered.ofType("pulumi-nodejs:dynamic/loco:SigningKeyPair");

  const pull = JSON.parse(secretData(registered, "registry-pull")[".dockerconfigjson"]) as { auths: Record<string, { username: string }> };
  const tokenValue = secretData(registered, "cloudflare-dns01-token")["api-token"];
  const tokenInUse = tokens.find((t) => placeholder(t.type, t, "value") === tokenValue);
  const storageKey = secretData(registered, "harbor-spaces").REGISTRY_STORAGE_S3_ACCESSKEY;
  const keyInUse = keys.find((k) => placeholder(k.type, k, "accessKey") === storageKey);
  const files = secretData(registered, "loco-api-signing-keys");
  const harbor = registered.all.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("harbor-release"));

  return {
    exists: {
      robots,
      dnsTokens: tokens.map((t) => generation(t.inputs.name)).sort(),
      spacesKeys: keys.map((k) => `${k.name.includes("backups") ? "backups" : "registry"} g${generation(k.inputs.name)}`).sort(),
      signingKeys: pairs.map((p) => String(p.inputs.keyId)).sort(),
    },
    sees: {
      pullSecret: Object.values(pull.auths)[0].username,
      builder: secretData(registered, "loco-api-env").GITLAB_TOKEN_NAME,
      certManager: tokenInUse ? `g${generation(tokenInUse.inputs.name)}` : "a token that does not exist",
      harborStorage: keyInUse ? `g${generation(keyInUse.inputs.name)}` : "a key that does not exist",
      registryAnnotation: (harbor?.inputs.values as Any).registry.podAnnotations["loco.dev/storage-key-generation"],
      signs: files["current.kid"],
      verifies: (JSON.parse(files["jwks.json"]) as { keys: { kid: string }[] }).keys.map((k) => k.kid),
      apiAnnotation: podAnnotations(registered, "loco-api")["loco.dev/signing-keys"],
    },
  };
}

function podAnnotations(registered: Registered, deployment: string): Record<string, string> {
  const found = registered.all.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs.metadata as Any).name === deployment);
  return (found?.inputs.spec as Any).template.metadata.annotations as Record<string, string>;
}

const phases = (registered: Registered) =>
  Object.fromEntries(rotated.map((name) => [name, ((registered.stackOutputs.rotation as Any)[name] as Any).phase]));
const allIn = (phase: string) => Object.fromEntries(rotated.map((name) => [name, phase]));

/** Every credential a consumer sees exists, and every verifier accepts the key that signs: never nothing valid. */
function assertUsable(step: string, seen: ReturnType<typeof view>) {
  assert.ok(seen.exists.robots.includes(seen.sees.pullSecret.split("+")[1]), `${step}: the pull secret's robot exists`);
  assert.ok(seen.exists.robots.includes(seen.sees.builder.split("+")[1]), `${step}: the builder's robot exists`);
  assert.ok(!seen.sees.certManager.includes("not"), `${step}: cert-manager's token exists`);
  assert.ok(!seen.sees.harborStorage.includes("not"), `${step}: Harbor's storage key exists`);
  assert.ok(seen.sees.verifies.includes(seen.sees.signs), `${step}: the signing key verifies`);
  assert.ok(seen.exists.signingKeys.includes(seen.sees.signs), `${step}: the signing key exists`);
}

const one = {
  exists: {
    robots: ["builder-g0", "cluster-pull-g0"],
    dnsTokens: ["0"],
    spacesKeys: ["backups g0", "registry g0"],
    signingKeys: ["loco-api-0"],
  },
  sees: {
    pullSecret: "robot$tenants+cluster-pull-g0",
    builder: "robot$tenants+builder-g0",
    certManager: "g0",
    harborStorage: "g0",
    registryAnnotation: "g0",
    signs: "loco-api-0",
    verifies: ["loco-api-0"],
    apiAnnotation: "loco-api-0;loco-api-0",
  },
};
const both = {
  robots: ["builder-g0", "builder-g1", "cluster-pull-g0", "cluster-pull-g1"],
  dnsTokens: ["0", "1"],
  spacesKeys: ["backups g0", "backups g1", "registry g0", "registry g1"],
  signingKeys: ["loco-api-0", "loco-api-1"],
};
const promoted = {
  pullSecret: "robot$tenants+cluster-pull-g1",
  builder: "robot$tenants+builder-g1",
  certManager: "g1",
  harborStorage: "g1",
  registryAnnotation: "g1",
  signs: "loco-api-1",
  verifies: ["loco-api-1", "loco-api-0"],
  apiAnnotation: "loco-api-1;loco-api-1,loco-api-0",
};

describe("a two-valid-at-once rotation, run by run (dev stack, under the mocks)", () => {
  test("first issue -> steady -> issue -> promote -> overlap -> retire, and a failed run retried", { timeout: 1_500_000 }, async () => {
    // 1. The stack's first run: no rotation output yet.
    const first = await run(at(0), 0, undefined);
    assert.deepEqual(phases(first), allIn("first issue"));
    assert.deepEqual(view(first), one);

    // 2. A day later nothing is due.
    const steady = await run(at(1), 0, first.stackOutputs.rotation);
    assert.deepEqual(phases(steady), allIn("steady"));
    assert.deepEqual(view(steady), one);

    // 3. Counters bumped (`npm run rotate`): the idle slot gets generation 1; consumers keep generation 0, verifiers
    // already accept both.
    const issue = await run(at(2), 1, steady.stackOutputs.rotation);
    assert.deepEqual(phases(issue), allIn("issue"));
    const issued = view(issue);
    assert.deepEqual(issued.exists, both);
    assert.deepEqual(issued.sees, {
      ...one.sees,
      verifies: ["loco-api-0", "loco-api-1"],
      apiAnnotation: "loco-api-0;loco-api-1,loco-api-0",
    });

    // 4. A run that fails before its step is applied records nothing: the next run steps from the same state.
    const failed = await run(at(3), 1, issue.stackOutputs.rotation);
    assert.deepEqual(phases(failed), allIn("promote"));
    assertUsable("the failed promotion", view(failed));

    // 5. The retry promotes: consumers switch to generation 1, the old credentials stay valid through the overlap.
    const promote = await run(at(3, 2), 1, issue.stackOutputs.rotation);
    assert.deepEqual(phases(promote), allIn("promote"));
    assert.deepEqual(view(promote), { exists: both, sees: promoted });
    assert.equal((promote.stackOutputs.rotation as Any).registryPullRobot.overlapUntil, at(4, 2));

    // 6. Inside the overlap nothing changes.
    const overlap = await run(at(4), 1, promote.stackOutputs.rotation);
    assert.deepEqual(phases(overlap), allIn("overlap"));
    assert.deepEqual(view(overlap), { exists: both, sees: promoted });

    // 7. The first run after the overlap deletes the old slot.
    const retire = await run(at(4, 3), 1, overlap.stackOutputs.rotation);
    assert.deepEqual(phases(retire), allIn("retire"));
    assert.deepEqual(view(retire), {
      exists: {
        robots: ["builder-g1", "cluster-pull-g1"],
        dnsTokens: ["1"],
        spacesKeys: ["backups g1", "registry g1"],
        signingKeys: ["loco-api-1"],
      },
      sees: { ...promoted, verifies: ["loco-api-1"], apiAnnotation: "loco-api-1;loco-api-1" },
    });

    for (const [step, registered] of Object.entries({ first, steady, issue, promote, overlap, retire })) {
      assertUsable(step, view(registered));
    }

    // The API and the controller read the robots from Secrets at start: their pods roll exactly when the robot in
    // use changes (the promotion), not when a robot is only issued or retired.
    for (const workload of ["loco-api", "loco-controller"]) {
      const checksum = (registered: Registered) => podAnnotations(registered, workload)["loco.dev/secret-checksum"];
      assert.equal(checksum(issue), checksum(steady), `${workload}: an issue does not roll it`);
      assert.notEqual(checksum(promote), checksum(issue), `${workload}: the promotion rolls it`);
      assert.equal(checksum(overlap), checksum(promote), `${workload}: the overlap does not roll it`);
      assert.equal(checksum(retire), checksum(overlap), `${workload}: the retirement does not roll it`);
    }
  });
});

/**
 * `loco:controlPlane` and the GitHub OAuth secrets: what each environment gets, and the one-line errors for what
 * would make loco run something nobody reviewed or stop on a node drain. Also the pure pieces the component is made
 * of: the signing key set's files, the API's database URL and the image pin rule.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { signingKeySetFiles } from "../lib/signing-key-set";
import { apiDatabaseUrl, apiEnvironment, controllerEnvironment, type LocoPlatformWiring } from "../loco/environment";
import { controllerClusterRules, wildcardProblems } from "../loco/rbac";
import { imagePinProblem } from "../loco/workloads";
import { connectionFromUrl } from "../lib/database-connection";
import { configProblems as problems, outputIsSecret, parsedConfig as parse, projectDir } from "./harness";

const controlPlane = (stack: string) => parse(stack).controlPlane;
const withImages = (images: Record<string, unknown>) => ({ ...controlPlane("dev"), images: { ...controlPlane("dev").images, ...images } });

describe("loco:controlPlane", () => {
  test("every environment pins all three images to one loco revision, never latest", () => {
    for (const stack of ["dev", "prod", "local"]) {
      const { images } = controlPlane(stack);
      assert.deepEqual(
        Object.values(images).map((i) => i.tag),
        Array(3).fill("sha-e08302e0a3a8a19c6d3c8004ef3137c1064938e7"),
      );
      assert.deepEqual(
        Object.values(images).map((i) => i.repository),
        ["ghcr.io/team-loco/loco-api", "ghcr.io/team-loco/loco-ui", "ghcr.io/team-loco/loco-controller"],
      );
    }
  });

  test("prod runs two of each; dev and local one", () => {
    const replicas = (stack: string) => [
      controlPlane(stack).api.replicas,
      controlPlane(stack).ui.replicas,
      controlPlane(stack).controller.replicas,
    ];
    assert.deepEqual(replicas("prod"), [2, 2, 2]);
    assert.deepEqual(replicas("dev"), [1, 1, 1]);
    assert.deepEqual(replicas("local"), [1, 1, 1]);
  });

  test("an image tagged latest is refused in one line naming the key and the file", () => {
    const found = problems("dev", { "loco:controlPlane": withImages({ ui: { repository: "ghcr.io/team-loco/loco-ui", tag: "latest" } }) });
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /^Pulumi\.dev\.yaml: loco:controlPlane\.images\.ui\.tag = "latest": must not be "latest"/);
  });

  test("a digest that is not sha256 hex is refused", () => {
    const found = problems("dev", {
      "loco:controlPlane": withImages({ api: { repository: "ghcr.io/team-loco/loco-api", tag: "v1", digest: "sha256:abc" } }),
    });
    assert.match(found.join("\n"), /controlPlane\.images\.api\.digest = "sha256:abc": must be sha256: followed by 64 lowercase hex digits/);
  });

  test("a digest pins the image next to its tag", () => {
    const digest = `sha256:${"0".repeat(64)}`;
    const config = parse("dev", {
      "loco:controlPlane": withImages({ api: { repository: "ghcr.io/team-loco/loco-api", tag: "v1", digest } }),
    });
    assert.equal(config.controlPlane.images.api.digest, digest);
  });

  test("one replica in prod is refused: the disruption budget would block drains", () => {
    const found = problems("prod", {
      "loco:controlPlane": { ...controlPlane("prod"), controller: { replicas: 1, cpu: "50m", memory: "128Mi" } },
    });
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /^Pulumi\.prod\.yaml: loco:controlPlane\.controller\.replicas = 1: must be at least 2 in prod/);
  });

  test("an unknown log level is refused with the allowed ones", () => {
    const found = problems("dev", { "loco:controlPlane": { ...controlPlane("dev"), logLevel: "verbose" } });
    assert.match(found.join("\n"), /controlPlane\.logLevel = "verbose": must be one of debug, info, warn, error/);
  });
});

describe("the GitHub OAuth app's secrets", () => {
  for (const stack of ["dev", "prod", "local"]) {
    test(`${stack}: required, and read as secrets`, async () => {
      const found = problems(stack, { "loco:githubOAuthClientSecret": undefined });
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        /loco:githubOAuthClientSecret: is required .*`pulumi config set --secret loco:githubOAuthClientSecret <value>`/,
      );
      const config = parse(stack, { "loco:githubOAuthClientSecret": { secret: "s3cr3t-value" } });
      assert.ok(await outputIsSecret(config.credentials.githubOAuthClientSecret));
    });
  }

  test("set in plaintext, it is refused without printing it", () => {
    const found = problems("dev", { "loco:githubOAuthClientId": "Iv1.plain-client-id" });
    assert.match(found.join("\n"), /loco:githubOAuthClientId: is stored in plaintext/);
    assert.ok(!found.join("\n").includes("Iv1.plain-client-id"));
  });
});

describe("the pieces the control plane is built from", () => {
  test("the API's database URL tells pgx to run without named prepared statements, and keeps a mode already set", () => {
    const local = connectionFromUrl("postgresql://loco:p%40ss@127.0.0.1:5432/loco").pooled;
    assert.equal(apiDatabaseUrl(local), "postgresql://loco:p%40ss@127.0.0.1:5432/loco?default_query_exec_mode=exec");
    const chosen = connectionFromUrl("postgresql://loco:pw@db:5432/loco?sslmode=prefer&default_query_exec_mode=simple_protocol").pooled;
    assert.equal(apiDatabaseUrl(chosen), "postgresql://loco:pw@db:5432/loco?sslmode=prefer&default_query_exec_mode=simple_protocol");
  });

  test("image pins: latest in any case is refused, a plain tag and a tag with digest pass", () => {
    assert.match(String(imagePinProblem({ repository: "ghcr.io/team-loco/loco-api", tag: "LATEST" })), /must not be "latest"/);
    assert.equal(imagePinProblem({ repository: "ghcr.io/team-loco/loco-api", tag: "sha-abc" }), undefined);
    assert.match(String(imagePinProblem({ repository: "not a repo", tag: "v1" })), /repository "not a repo"/);
  });

  test("docs/loco.md's wiring table names every variable the API and the controller get", () => {
    const wiring: LocoPlatformWiring = {
      namespace: "loco-system",
      baseDomain: "loco.example.com",
      apiHost: "api.loco.example.com",
      registry: { url: "https://r", host: "r", project: "p", repositoryPrefix: "r/p" },
      telemetry: { otlpGrpcEndpoint: "http://otel:4317", environment: "dev" },
      logLevel: "info",
    };
    const names = [...apiEnvironment(wiring, { signingKeys: true }), ...controllerEnvironment(wiring)].map((e) => e.name);
    const doc = readFileSync(join(projectDir, "docs", "loco.md"), "utf8");
    assert.deepEqual(
      [...new Set(names)].filter((name) => !doc.includes(`\`${name}\``)),
      [],
    );
  });

  test("the controller's rules hold no wildcard, and the check would catch one", () => {
    assert.deepEqual(wildcardProblems(controllerClusterRules), []);
    assert.deepEqual(wildcardProblems([{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }]), [
      'rule 0 has "*" in apiGroups',
      'rule 0 has "*" in resources',
    ]);
  });
});

describe("the signing key set's files", () => {
  const pem = (type: "ed25519" | "ec" | "rsa") => {
    const options = type === "ec" ? { namedCurve: "prime256v1" } : type === "rsa" ? { modulusLength: 2048 } : {};
    return (generateKeyPairSync as (t: string, o: object) => { privateKey: { export(o: object): string | Buffer } })(type, options)
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
  };

  test("the current key signs; both keys verify, each with its algorithm; the previous private key is not written", () => {
    const previous = pem("rsa");
    const files = signingKeySetFiles({
      current: { keyId: "2026-11", privateKeyPem: pem("ec") },
      previous: { keyId: "2026-08", privateKeyPem: previous },
    });
    assert.equal(files["current.kid"], "2026-11");
    const jwks = JSON.parse(files["jwks.json"]) as { keys: { kid: string; alg: string; d?: string }[] };
    assert.deepEqual(
      jwks.keys.map((k) => [k.kid, k.alg]),
      [
        ["2026-11", "ES256"],
        ["2026-08", "RS256"],
      ],
    );
    assert.ok(
      jwks.keys.every((k) => k.d === undefined),
      "public keys only",
    );
    assert.ok(!Object.values(files).some((content) => content === previous));
  });

  test("an Ed25519 key is EdDSA", () => {
    const files = signingKeySetFiles({ current: { keyId: "k", privateKeyPem: pem("ed25519") } });
    assert.equal((JSON.parse(files["jwks.json"]) as { keys: { alg: string }[] }).keys[0].alg, "EdDSA");
  });

  test("a key that is not PEM is refused without echoing it; two keys with one id are refused", () => {
    assert.throws(
      () => signingKeySetFiles({ current: { keyId: "k", privateKeyPem: "not-a-key-XYZ" } }),
      (error: Error) => /signing key "k" is not a PEM private key/.test(error.message) && !error.message.includes("XYZ"),
    );
    const key = pem("ed25519");
    assert.throws(
      () => signingKeySetFiles({ current: { keyId: "k", privateKeyPem: key }, previous: { keyId: "k", privateKeyPem: key } }),
      /share the key id "k"/,
    );
  });
});

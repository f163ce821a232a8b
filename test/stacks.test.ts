import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "yaml";
import { stackSecretsCommand } from "../cli/stack-secrets";
import { stacksCommand } from "../cli/stacks";
import { githubEnvironmentFor } from "../delivery/github-environments";
import { secretNameForConfigKey } from "../delivery/stack-secrets";
import { listStacks } from "../delivery/stacks";
import { environmentOfStack } from "../policy/stack-environment";
import { projectDir } from "./harness";

const temporaryDirs: string[] = [];
const tempDir = (prefix = "loco-stacks-") => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
};
after(() => temporaryDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A project directory holding only stack files, to see how a new one is picked up. */
function projectWith(files: Record<string, string>): string {
  const dir = tempDir();
  copyFileSync(join(projectDir, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const placeholder = "secure: v1:placeholder:set-with-pulumi-config-set-secret";

describe("the stacks CI knows about", () => {
  test("are exactly the project's Pulumi.<stack>.yaml files", () => {
    const onDisk = readdirSync(projectDir)
      .filter((f) => f.startsWith("Pulumi.") && f.endsWith(".yaml") && f !== "Pulumi.yaml")
      .sort();
    assert.deepEqual(
      listStacks(projectDir).map((s) => s.file),
      onDisk,
    );
  });

  test("the environment a stack file declares is the one the policy pack reads from the stack's name", () => {
    for (const file of listStacks(projectDir)) {
      const declared = (parse(readFileSync(join(projectDir, file.file), "utf8")) as { config?: Record<string, unknown> }).config?.[
        "loco:environment"
      ];
      if (declared !== undefined) assert.equal(environmentOfStack(file.stack), declared, file.file);
    }
  });

  test("every environment CI deploys has a deploy and a read GitHub environment", () => {
    for (const { environment } of listStacks(projectDir).filter((s) => s.environment !== "local")) {
      assert.ok(githubEnvironmentFor(environment, "deploy"), `${environment} has no deploy environment`);
      assert.ok(githubEnvironmentFor(environment, "read"), `${environment} has no read environment`);
    }
  });

  test("a new stack file joins its environment's jobs without touching a workflow", async () => {
    const dir = projectWith({
      "Pulumi.dev.yaml": "config:\n  loco:environment: dev\n",
      "Pulumi.prod.yaml": "config:\n  loco:environment: prod\n",
      "Pulumi.local.yaml": "config:\n  loco:environment: local\n",
      "Pulumi.resurrector-prod.yaml": `config:\n  loco:resurrector:\n    encryptionKey:\n      ${placeholder}\n`,
    });
    const result = await stacksCommand(["--github-output"], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split("\n"), [
      'all=["dev","local","prod","resurrector-prod"]',
      'dev=["dev"]',
      "local=[]",
      'prod=["prod","resurrector-prod"]',
    ]);
    const only = await stacksCommand(["--github-output", "--only", "resurrector-prod"], dir);
    assert.deepEqual(only.stdout.split("\n"), ['all=["resurrector-prod"]', "dev=[]", "local=[]", 'prod=["resurrector-prod"]']);
  });

  test("an environment without GitHub environments is refused, naming where to declare them", async () => {
    const result = await stacksCommand(["--json"], projectWith({ "Pulumi.staging.yaml": "config:\n  loco:environment: staging\n" }));
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      [
        "environment staging has no deploy GitHub environment in delivery/github-environments.ts",
        "environment staging has no read GitHub environment in delivery/github-environments.ts",
      ].join("\n"),
    );
  });

  test("--only names the stacks there are when the one asked for is not", async () => {
    const result = await stacksCommand(["--only", "nope"], projectDir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^no stack nope: the stacks are dev, local, prod/);
  });

  test("--help exits 0; an unknown option exits 64", async () => {
    assert.equal((await stacksCommand(["--help"], projectDir)).code, 0);
    assert.equal((await stacksCommand(["--nope"], projectDir)).code, 64);
    assert.equal((await stacksCommand(["--json", "--github-output"], projectDir)).code, 64);
  });
});

describe("the GitHub secrets a stack needs", () => {
  test("are named after the config keys whose committed value is a placeholder", () => {
    assert.equal(secretNameForConfigKey("loco:digitaloceanToken"), "DIGITALOCEAN_TOKEN");
    assert.equal(secretNameForConfigKey("loco:cloudflareApiToken"), "CLOUDFLARE_API_TOKEN");
    assert.equal(secretNameForConfigKey("loco:spacesAccessKeyId"), "SPACES_ACCESS_KEY_ID");
    assert.equal(secretNameForConfigKey("loco:resurrector.encryptionKey"), "RESURRECTOR_ENCRYPTION_KEY");
    assert.equal(secretNameForConfigKey("other:apiKey"), "OTHER_API_KEY");
  });

  test("dev and prod need the cloud credentials, the cluster token and loco's GitHub OAuth app; a value already encrypted is not asked for", () => {
    const byStack = Object.fromEntries(listStacks(projectDir).map((s) => [s.stack, s.placeholderSecretKeys]));
    const cloud = [
      "loco:cloudflareApiToken",
      "loco:clusterAccessToken",
      "loco:digitaloceanToken",
      "loco:githubOAuthClientId",
      "loco:githubOAuthClientSecret",
      "loco:spacesAccessKeyId",
      "loco:spacesSecretKey",
    ];
    assert.deepEqual(byStack.dev, cloud);
    assert.deepEqual(byStack.prod, cloud);
    const dir = projectWith({
      "Pulumi.dev.yaml": `config:\n  loco:digitaloceanToken:\n    secure: v1:realciphertext==\n  loco:spacesSecretKey:\n    ${placeholder}\n`,
    });
    assert.deepEqual(listStacks(dir)[0].placeholderSecretKeys, ["loco:spacesSecretKey"]);
  });
});

describe("npm run stack:secrets, against a stand-in pulumi", () => {
  /** A `pulumi` that records its arguments and stdin, one call per line, first on PATH. */
  function standInPulumi(): { env: NodeJS.ProcessEnv; calls: () => { args: string; stdin: string }[] } {
    const bin = tempDir("loco-fake-pulumi-");
    const log = join(bin, "calls.log");
    writeFileSync(log, "");
    writeFileSync(join(bin, "pulumi"), `#!/bin/sh\nprintf '%s\\t' "$*" >> "${log}"\ncat >> "${log}"\nprintf '\\n' >> "${log}"\n`);
    chmodSync(join(bin, "pulumi"), 0o755);
    return {
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` },
      calls: () =>
        readFileSync(log, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => {
            const [args, stdin] = l.split("\t");
            return { args, stdin };
          }),
    };
  }

  const secrets = {
    CLOUDFLARE_API_TOKEN: "cf-value",
    CLUSTER_ACCESS_TOKEN: "cluster-value",
    DIGITALOCEAN_TOKEN: "do-value",
    GITHUB_OAUTH_CLIENT_ID: "oauth-id-value",
    GITHUB_OAUTH_CLIENT_SECRET: "oauth-secret-value",
    SPACES_ACCESS_KEY_ID: "id-value",
    SPACES_SECRET_KEY: "key-value",
    GITHUB_TOKEN: "ignored",
  };

  test("sets each placeholder secret with --secret, the value on stdin and never on the command line", async () => {
    const pulumi = standInPulumi();
    const result = await stackSecretsCommand(["--stack", "prod"], projectDir, { ...pulumi.env, STACK_SECRETS: JSON.stringify(secrets) });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(pulumi.calls(), [
      { args: "config set --secret --stack prod loco:cloudflareApiToken", stdin: "cf-value" },
      { args: "config set --secret --stack prod loco:clusterAccessToken", stdin: "cluster-value" },
      { args: "config set --secret --stack prod loco:digitaloceanToken", stdin: "do-value" },
      { args: "config set --secret --stack prod loco:githubOAuthClientId", stdin: "oauth-id-value" },
      { args: "config set --secret --stack prod loco:githubOAuthClientSecret", stdin: "oauth-secret-value" },
      { args: "config set --secret --stack prod loco:spacesAccessKeyId", stdin: "id-value" },
      { args: "config set --secret --stack prod loco:spacesSecretKey", stdin: "key-value" },
    ]);
    assert.doesNotMatch(result.stdout, /cf-value|cluster-value|do-value|oauth-id-value|oauth-secret-value|id-value|key-value/);
  });

  test("a nested key is set with --path", async () => {
    const pulumi = standInPulumi();
    const dir = projectWith({ "Pulumi.resurrector-prod.yaml": `config:\n  loco:resurrector:\n    encryptionKey:\n      ${placeholder}\n` });
    const result = await stackSecretsCommand(["--stack", "resurrector-prod"], dir, {
      ...pulumi.env,
      STACK_SECRETS: JSON.stringify({ RESURRECTOR_ENCRYPTION_KEY: "k" }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(pulumi.calls(), [
      { args: "config set --secret --stack resurrector-prod --path loco:resurrector.encryptionKey", stdin: "k" },
    ]);
  });

  test("missing secrets: exit 1 naming each one and its config key, before pulumi runs, echoing no value", async () => {
    const pulumi = standInPulumi();
    const result = await stackSecretsCommand(["--stack", "dev"], projectDir, {
      ...pulumi.env,
      STACK_SECRETS: JSON.stringify({ DIGITALOCEAN_TOKEN: "do-value", SPACES_SECRET_KEY: "" }),
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "stack dev needs GitHub environment secret(s) that are not set: CLOUDFLARE_API_TOKEN (loco:cloudflareApiToken), CLUSTER_ACCESS_TOKEN (loco:clusterAccessToken), GITHUB_OAUTH_CLIENT_ID (loco:githubOAuthClientId), GITHUB_OAUTH_CLIENT_SECRET (loco:githubOAuthClientSecret), SPACES_ACCESS_KEY_ID (loco:spacesAccessKeyId), SPACES_SECRET_KEY (loco:spacesSecretKey)",
    );
    assert.deepEqual(pulumi.calls(), []);
  });

  test("--check: exit 0 when every secret is there, 1 when one is not; pulumi never runs", async () => {
    const pulumi = standInPulumi();
    const ready = await stackSecretsCommand(["--stack", "prod", "--check"], projectDir, {
      ...pulumi.env,
      STACK_SECRETS: JSON.stringify(secrets),
    });
    assert.equal(ready.code, 0, ready.stderr);
    const missing = await stackSecretsCommand(["--stack", "prod", "--check"], projectDir, { ...pulumi.env, STACK_SECRETS: "{}" });
    assert.equal(missing.code, 1);
    assert.deepEqual(pulumi.calls(), []);
  });

  test("STACK_SECRETS that is not JSON: one line, no value", async () => {
    const result = await stackSecretsCommand(["--stack", "dev", "--check"], projectDir, {
      ...process.env,
      STACK_SECRETS: "{not json: do-value",
    });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "STACK_SECRETS is not JSON: pass it as ${{ toJSON(secrets) }}");
  });

  test("a failing pulumi: exit 1 with its message", async () => {
    const bin = tempDir("loco-fake-pulumi-");
    writeFileSync(join(bin, "pulumi"), "#!/bin/sh\necho 'error: no stack named prod found' >&2\nexit 255\n");
    chmodSync(join(bin, "pulumi"), 0o755);
    const result = await stackSecretsCommand(["--stack", "prod"], projectDir, {
      ...process.env,
      PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
      STACK_SECRETS: JSON.stringify(secrets),
    });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "pulumi config set --secret loco:cloudflareApiToken failed (exit 255): error: no stack named prod found");
  });

  test("an unknown stack: exit 1, one line", async () => {
    const result = await stackSecretsCommand(["--stack", "nope", "--check"], projectDir, process.env);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, "there is no stack nope: Pulumi.nope.yaml does not exist");
  });

  test("--stack is required (64); --help exits 0", async () => {
    assert.equal((await stackSecretsCommand([], projectDir)).code, 64);
    assert.equal((await stackSecretsCommand(["--help"], projectDir)).code, 0);
  });
});

/**
 * The policy pack as the Pulumi engine runs it: resources arrive as the engine's gRPC requests (secrets marked with
 * the wire signature, unknowns as sentinels) and go through @pulumi/policy's own request handlers, then the same
 * checks `npm run policy` runs. A last test starts the pack exactly as the Pulumi CLI does (ts-node, a gRPC server)
 * and talks to it as the engine would.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { listStacks } from "../delivery/stacks";
import { buildPlan } from "../plan/offline-plan";
import { SecretValue, type RecordedResource } from "../plan/mock-runtime";
import { writePlan } from "../plan/write-plan";
import { evaluatePolicies } from "../policy/evaluate";
import { toPackPolicies } from "../policy/pack";
import { readPlanResources } from "../policy/plan-resources";
import { policies } from "../policy/policies";
import { keepSecretsMarked } from "../policy/secret-aware-props";
import { projectDir } from "./harness";

const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun: (name: string, version: string, level: string, policies: unknown[]) => RpcHandler;
  makeAnalyzeStackRpcFun: (name: string, version: string, level: string, policies: unknown[]) => RpcHandler;
};
const { unknownStringValue } = require("@pulumi/policy/proxy") as { unknownStringValue: string };

type RpcHandler = (call: { request: unknown }, callback: (error: unknown, response: unknown) => void) => void;

interface Diagnostic {
  getPolicyname(): string;
  getMessage(): string;
  getUrn(): string;
}

/** A value as the engine marshals it for an analyzer: secrets wrapped in the secret signature. */
function toWire(value: unknown): unknown {
  if (value instanceof SecretValue) return { [specialSigKey]: specialSecretSig, value: toWire(value.value) };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toWire(v)]),
    );
  return value;
}

/** The engine skips internal keys (a dynamic provider's `__provider` code) when it sends properties. */
const engineProperties = (inputs: Record<string, unknown>) =>
  Struct.fromJavaScript(toWire(Object.fromEntries(Object.entries(inputs).filter(([k]) => !k.startsWith("__")))));

function options(protect: boolean) {
  const opts = new analyzerPb.AnalyzerResourceOptions();
  opts.setProtect(protect);
  return opts;
}

function analyzeRequest(r: RecordedResource) {
  const request = new analyzerPb.AnalyzeRequest();
  request.setUrn(r.urn);
  request.setType(r.type);
  request.setName(r.name);
  request.setProperties(engineProperties(r.inputs));
  request.setOptions(options(r.protect));
  return request;
}

function analyzeStackRequest(resources: readonly RecordedResource[]) {
  const request = new analyzerPb.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const resource = new analyzerPb.AnalyzerResource();
      resource.setUrn(r.urn);
      resource.setType(r.type);
      resource.setName(r.name);
      resource.setProperties(engineProperties(r.inputs));
      resource.setOptions(options(r.protect));
      resource.setDependenciesList([...r.dependencies]);
      return resource;
    }),
  );
  return request;
}

const call = (handler: RpcHandler, request: unknown): Promise<Diagnostic[]> =>
  new Promise((resolve, reject) =>
    handler({ request }, (error, response) =>
      error ? reject(error) : resolve((response as { getDiagnosticsList(): Diagnostic[] }).getDiagnosticsList()),
    ),
  );

const packPolicies = toPackPolicies(policies);
const analyze = server.makeAnalyzeRpcFun("loco-platform", "0.0.0", "mandatory", packPolicies as unknown[]);
const analyzeStack = server.makeAnalyzeStackRpcFun("loco-platform", "0.0.0", "mandatory", packPolicies as unknown[]);

/** Every diagnostic the pack reports on a stack, as `policy urn` lines. */
async function packViolations(resources: readonly RecordedResource[]): Promise<string[]> {
  // A resource policy's diagnostic carries no URN: the engine knows which resource it asked about.
  const perResource = await Promise.all(
    resources.map(async (r) => (await call(analyze, analyzeRequest(r))).map((d) => `${d.getPolicyname()} ${r.urn}`)),
  );
  const stack = (await call(analyzeStack, analyzeStackRequest(resources))).map((d) => `${d.getPolicyname()} ${d.getUrn()}`);
  return [...perResource.flat(), ...stack].sort();
}

/** Each stack is evaluated once per file: the tests only read the plan, and build changed copies of its resources. */
const builtPlans = new Map<string, ReturnType<typeof buildPlan>>();
const planOf = (stack: string) => {
  if (!builtPlans.has(stack)) builtPlans.set(stack, buildPlan(projectDir, stack));
  return builtPlans.get(stack) as ReturnType<typeof buildPlan>;
};

const temporaryDirs: string[] = [];
after(() => temporaryDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** What `npm run policy -- --plan` reports for the same resources, as `policy urn` lines. */
async function offlineViolations(stack: string, resources: readonly RecordedResource[]): Promise<string[]> {
  const plan = await planOf(stack);
  const dir = mkdtempSync(join(tmpdir(), "loco-pack-"));
  temporaryDirs.push(dir);
  writePlan({ ...plan, resources }, dir);
  const read = readPlanResources(dir);
  return evaluatePolicies(policies, read.resources, { stack: read.stack })
    .map((v) => `${v.policy} ${v.urn}`)
    .sort();
}

const providerToken = (resources: RecordedResource[]) => {
  const provider = resources.find((r) => r.type === "pulumi:providers:digitalocean");
  assert.ok(provider && provider.inputs.token instanceof SecretValue, "the prod plan's DigitalOcean provider has a secret token");
  return provider;
};

const withInputs = (resource: RecordedResource, inputs: Record<string, unknown>): RecordedResource => ({
  ...resource,
  inputs: { ...resource.inputs, ...inputs },
});

describe("the pack, fed as the engine feeds it", () => {
  test("without the secret-aware hook, @pulumi/policy hands policies a secret as plaintext (why the hook exists)", async () => {
    const prod = await planOf("prod");
    const violations = await packViolations([providerToken([...prod.resources])]);
    assert.ok(
      violations.some((v) => v.startsWith("no-plaintext-secrets ")),
      `expected the unwrapped token to look plaintext: ${violations.join(", ")}`,
    );
  });

  test("with the hook (as policy/index.ts installs it), a secret token is a secret and a plaintext one is not", async () => {
    keepSecretsMarked();
    const prod = await planOf("prod");
    const provider = providerToken([...prod.resources]);
    assert.deepEqual(await packViolations([provider]), []);
    const leaked = await packViolations([withInputs(provider, { token: "dop_v1_plaintext" })]);
    assert.deepEqual(leaked, [`no-plaintext-secrets ${provider.urn}`]);
  });

  for (const { stack } of listStacks(projectDir)) {
    test(`the ${stack} stack: no diagnostic, as npm run policy finds none`, async () => {
      keepSecretsMarked();
      const plan = await planOf(stack);
      assert.deepEqual(await packViolations(plan.resources), []);
      assert.deepEqual(await offlineViolations(stack, plan.resources), []);
    });
  }

  test("a broken prod plan: the pack and npm run policy report the same policies on the same resources", async () => {
    keepSecretsMarked();
    const plan = await planOf("prod");
    const broken = plan.resources.map((r) => {
      if (r.type === "digitalocean:index/vpc:Vpc") return { ...r, protect: false };
      if (r.type === "digitalocean:index/loadBalancer:LoadBalancer") return withInputs(r, { region: "sfo3" });
      if (r.type === "digitalocean:index/databaseFirewall:DatabaseFirewall")
        return withInputs(r, { rules: [{ type: "ip_addr", value: "0.0.0.0/0" }] });
      if (r.type === "pulumi:providers:cloudflare") return withInputs(r, { apiToken: "plaintext-token" });
      return r;
    });
    const fromPack = await packViolations(broken);
    assert.deepEqual(
      fromPack.map((v) => v.split(" ")[0]),
      [
        "database-firewall-not-open-to-world",
        "load-balancer-cluster-same-region",
        "no-plaintext-secrets",
        "stateful-resources-protected-in-prod",
      ],
    );
    assert.deepEqual(fromPack, await offlineViolations("prod", broken));
  });

  test("values preview cannot know yet are skipped, not guessed and not an error", async () => {
    keepSecretsMarked();
    const plan = await planOf("prod");
    const firewall = plan.resources.find((r) => r.type === "digitalocean:index/databaseFirewall:DatabaseFirewall");
    assert.ok(firewall);
    const unknown = withInputs(firewall, { rules: [{ type: "ip_addr", value: unknownStringValue }], password: unknownStringValue });
    assert.deepEqual(await packViolations([unknown]), []);
  });
});

describe("the pack, started as the Pulumi CLI starts it", () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child?.exitCode === null) child.kill();
  });

  test("loads with ts-node, lists every policy, and reports a violation over gRPC", { timeout: 180_000 }, async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: join(projectDir, "policy"), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = /^(\d+)\s*$/m.exec(stdout);
        if (line) resolve(line[1]);
      });
      child?.on("exit", (code) => reject(new Error(`the pack exited (${String(code)}) before serving: ${stderr}`)));
    });
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const info = await new Promise<{ getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[] }>((resolve, reject) =>
        client.getAnalyzerInfo(new Empty(), (error: unknown, response: never) => (error ? reject(error) : resolve(response))),
      );
      assert.deepEqual(
        info
          .getPoliciesList()
          .map((p) => p.getName())
          .sort(),
        [
          "charts-pinned",
          "cloudflare-token-one-zone",
          "database-behind-firewall",
          "database-firewall-not-open-to-world",
          "harbor-retention-present",
          "images-pinned",
          "load-balancer-cluster-same-region",
          "namespaces-pod-security",
          "no-plaintext-secrets",
          "stateful-resources-protected-in-prod",
        ],
      );

      const plan = await planOf("prod");
      const vpc = plan.resources.find((r) => r.type === "digitalocean:index/vpc:Vpc");
      const provider = providerToken([...plan.resources]);
      assert.ok(vpc);
      const analyzeOverGrpc = (r: RecordedResource) =>
        new Promise<Diagnostic[]>((resolve, reject) =>
          client.analyze(analyzeRequest(r), (error: unknown, response: { getDiagnosticsList(): Diagnostic[] }) =>
            error ? reject(error) : resolve(response.getDiagnosticsList()),
          ),
        );
      const diagnostics = await analyzeOverGrpc({ ...vpc, protect: false });
      assert.deepEqual(
        diagnostics.map((d) => d.getPolicyname()),
        ["stateful-resources-protected-in-prod"],
      );
      assert.match(
        diagnostics[0].getMessage(),
        /the VPC is not protected in the prod stack prod\. Fix: set the resource option `protect: true`/,
      );
      assert.deepEqual(await analyzeOverGrpc(provider), [], "the started pack sees the provider's token as the secret it is");
    } finally {
      client.close();
    }
  });
});

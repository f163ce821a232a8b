/**
 * loco's control plane in the offline plans of the committed stacks, read from the files `npm run plan` writes:
 * the dependency chain the resurrector's replay relies on (CRD, controller, API) in resources.json, the stack output
 * that says so, and the configuration each environment wires in, compared with what its stack file says.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { buildPlan } from "../plan/offline-plan";
import { secretMask } from "../plan/secrets";
import { writePlan } from "../plan/write-plan";
import { projectDir } from "./harness";

interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly dependencies: readonly string[];
  readonly inputs: { readonly metadata?: { readonly name?: string; readonly namespace?: string }; readonly [key: string]: unknown };
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const stack of ["dev", "prod", "local"]) {
  describe(`loco in the ${stack} plan`, () => {
    let dir: string;
    let resources: PlannedResource[];
    let outputs: Any;
    const stackFile = parse(readFileSync(join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const baseDomain = String(stackFile.config["loco:baseDomain"]);

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `loco-plan-${stack}-`));
      writePlan(await buildPlan(projectDir, stack), dir);
      resources = JSON.parse(readFileSync(join(dir, "resources.json"), "utf8")) as PlannedResource[];
      outputs = JSON.parse(readFileSync(join(dir, "outputs.json"), "utf8")) as Any;
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const find = (type: string, name: string) => {
      const found = resources.filter((r) => r.type === type && r.inputs.metadata?.name === name);
      assert.equal(found.length, 1, `one ${type} ${name} in resources.json`);
      return found[0];
    };
    const deployment = (name: string) => find("kubernetes:apps/v1:Deployment", name);
    const manifest = (file: string) => parse(readFileSync(join(dir, "manifests", file), "utf8")) as Any;
    /** Whether resources.json makes the engine wait for `dependency` before `resource`, directly or through others. */
    const waitsFor = (resource: PlannedResource, dependency: PlannedResource) => {
      const seen = new Set<string>();
      const pending = [...resource.dependencies];
      while (pending.length > 0) {
        const urn = pending.pop() as string;
        if (urn === dependency.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        pending.push(...(resources.find((r) => r.urn === urn)?.dependencies ?? []));
      }
      return false;
    };

    test("resources.json orders the Application CRD before the controller, and the controller before the API", () => {
      const crd = find("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "applications.infra.loco.io");
      const controller = deployment("loco-controller");
      const api = deployment("loco-api");
      assert.ok(waitsFor(controller, crd));
      assert.ok(waitsFor(api, controller));
      assert.ok(!waitsFor(crd, api) && !waitsFor(controller, api));
    });

    test("the stack output loco.ready names what the tenant replay needs in place", () => {
      assert.deepEqual(outputs.loco.ready, {
        applicationCrd: "applications.infra.loco.io",
        controller: "loco-system/loco-controller",
        api: "loco-system/loco-api",
      });
      assert.equal(outputs.loco.apiUrl, `https://api.${baseDomain}`);
    });

    test("the API is wired to this stack's names, and its secrets are only references into a masked Secret", () => {
      const container = manifest("loco-system/deployment-loco-api.yaml").spec.template.spec.containers[0] as Any;
      const env = new Map((container.env as Any[]).map((e) => [e.name as string, e]));
      const value = (name: string) => (env.get(name) as Any).value as string;
      assert.equal(value("LOCO_DOMAIN_BASE"), baseDomain);
      assert.equal(value("LOCO_DOMAIN_API"), `api.${baseDomain}`);
      assert.equal(value("GITLAB_REGISTRY_URL"), `registry.${baseDomain}`);
      assert.equal(value("LOCO_NAMESPACE"), "loco-system");
      for (const name of ["DATABASE_URL", "GH_OAUTH_CLIENT_ID", "GH_OAUTH_CLIENT_SECRET", "GITLAB_PAT"]) {
        assert.deepEqual(env.get(name)?.valueFrom, { secretKeyRef: { name: "loco-api-env", key: name } });
      }
      const secret = manifest("loco-system/secret-loco-api-env.yaml");
      assert.ok(Object.values(secret.stringData as Record<string, string>).every((v) => v === secretMask));
      assert.match(container.image, /^ghcr\.io\/team-loco\/loco-api:sha-[0-9a-f]{40}$/);
    });

    test(`PodDisruptionBudgets ${stack === "prod" ? "for the API, UI and controller" : "none (prod only)"}`, () => {
      const budgets = resources.filter((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget").map((r) => r.inputs.metadata?.name);
      assert.deepEqual(budgets.sort(), stack === "prod" ? ["loco-api", "loco-controller", "loco-ui"] : []);
    });
  });
}

import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { execCredentialKubeconfig } from "../components/cluster";
import { probeClusterAccess } from "../components/cluster-preflight";
import { checkedKubeconfig, kubernetesProvider } from "../components/kubernetes-provider";
import { testPki, type TestPki } from "./fake-kube-api";
import { runComponents, runStack, secretValue } from "./harness";

/**
 * An Output's value, or its failure (valueOf would wait forever on a failed Output). A failed Output also fails its
 * isKnown and isSecret promises; they are observed here so the failure is reported once, by the assertion.
 */
function settled<T>(output: pulumi.Output<T>): Promise<T> {
  const internals = output as unknown as { promise(): Promise<T>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  internals.isKnown.catch(() => undefined);
  internals.isSecret.catch(() => undefined);
  return internals.promise();
}

const stackToken = "dop_v1_stack_token_never_printed";
const clusterToken = "doks-short-lived-token";

/** A stand-in `doctl`: answers exec-credential with a token when given the stack's token, else fails like doctl. */
const fakeDoctl = `#!/bin/sh
if [ "$1 $2 $3 $4" != "kubernetes cluster kubeconfig exec-credential" ]; then echo "unexpected: $*" >&2; exit 2; fi
if [ "$DIGITALOCEAN_ACCESS_TOKEN" != "${stackToken}" ]; then
  echo "Error: GET https://api.digitalocean.com/v2/kubernetes/clusters/c-1/credentials: 401 (token $DIGITALOCEAN_ACCESS_TOKEN) Unable to authenticate you" >&2
  exit 1
fi
printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"${clusterToken}"}}\\n'
`;

let pki: TestPki;
let api: Server;
let apiPort: number;
let answer = { status: 200, body: '{"major":"1","minor":"35"}' };
const seenAuthorization: string[] = [];
const scratch = mkdtempSync(join(tmpdir(), "loco-preflight-"));
const withDoctl = join(scratch, "with-doctl");
const withoutDoctl = join(scratch, "without-doctl");

before(async () => {
  pki = await testPki();
  mkdirSync(withDoctl);
  mkdirSync(withoutDoctl);
  writeFileSync(join(withDoctl, "doctl"), fakeDoctl);
  chmodSync(join(withDoctl, "doctl"), 0o755);
  api = createServer({ cert: pki.apiCert, key: pki.apiKey }, (req, res) => {
    seenAuthorization.push(String(req.headers.authorization));
    res.writeHead(req.url === "/version" ? answer.status : 404, { "content-type": "application/json" });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiPort = (api.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((resolve) => api.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

const kubeconfig = (port: number, token = stackToken) =>
  execCredentialKubeconfig({
    clusterId: "c-1",
    clusterName: "loco-test",
    endpoint: `https://127.0.0.1:${port}`,
    caCertificateBase64: Buffer.from(pki.caCert).toString("base64"),
    token,
  });

const probe = (config: string, path: string) => probeClusterAccess(config, { environment: { PATH: path }, timeoutMs: 20_000 });

describe("the cluster preflight", () => {
  test("passes when doctl issues a credential and the API accepts it", async () => {
    answer = { status: 200, body: '{"major":"1","minor":"35"}' };
    await probe(kubeconfig(apiPort), withDoctl);
    assert.equal(seenAuthorization.at(-1), `Bearer ${clusterToken}`);
  });

  test("stops the run when doctl is not on the PATH", async () => {
    await assert.rejects(probe(kubeconfig(apiPort), withoutDoctl), /`doctl` is not on the PATH/);
  });

  test("stops the run when doctl cannot issue a credential, without printing the token", async () => {
    await assert.rejects(probe(kubeconfig(apiPort, "dop_v1_revoked"), withDoctl), (error: Error) => {
      assert.match(error.message, /doctl could not issue a credential for cluster c-1: .*401/);
      assert.doesNotMatch(error.message, /dop_v1_revoked/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  test("stops the run when the cluster's API cannot be reached, naming where and what to check", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      probe(kubeconfig(port), withDoctl),
      new RegExp(`cluster API at https://127\\.0\\.0\\.1:${port} cannot be reached.*controlPlaneAllowedCidrs`),
    );
  });

  test("stops the run when the API refuses the credential", async () => {
    answer = { status: 401, body: '{"kind":"Status","code":401}' };
    await assert.rejects(probe(kubeconfig(apiPort), withDoctl), /refused the credential doctl issued \(HTTP 401\)/);
    answer = { status: 200, body: "{}" };
  });

  test("the Kubernetes provider is configured only after the preflight passed", async () => {
    const failing = async () => {
      throw new Error("preflight says no");
    };
    await assert.rejects(settled(checkedKubeconfig(pulumi.secret("{}"), false, failing)), /cluster preflight: preflight says no/);
    const seen: string[] = [];
    const passing = async (config: string) => {
      seen.push(config);
    };
    const registered = await runComponents(() =>
      kubernetesProvider("k8s", {
        kind: "doks",
        kubeconfig: pulumi.secret("the-kubeconfig"),
        clusterId: "c-1",
        deleteUnreachable: false,
        preflight: passing,
      }),
    );
    assert.deepEqual(seen, ["the-kubeconfig"]);
    assert.equal(secretValue(registered.one("pulumi:providers:kubernetes").inputs.kubeconfig), "the-kubeconfig");
  });

  test("a deliberate rebuild of a lost cluster is not stopped by it", async () => {
    const failing = async () => {
      throw new Error("the old cluster is gone");
    };
    assert.equal(await settled(checkedKubeconfig(pulumi.secret("{}"), true, failing)), "{}");
  });

  test("the offline plan never runs it: no doctl, no cluster, no network", async () => {
    const path = process.env.PATH;
    process.env.PATH = withoutDoctl;
    try {
      await runStack("dev");
    } finally {
      process.env.PATH = path;
    }
  });
});

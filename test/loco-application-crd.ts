/**
 * loco's Application CRD for the fake Kubernetes API: the upstream reference when it is there (then every
 * Application written is checked against loco's real schema), else the smallest CRD that serves the kind.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { findUpstream } from "./upstream";

export function locoApplicationCrd(): object {
  const upstream = findUpstream("locoCrd");
  if (upstream) return parse(readFileSync(upstream, "utf8")) as object;
  return {
    metadata: { name: "applications.infra.loco.io" },
    spec: {
      group: "infra.loco.io",
      names: { kind: "Application", plural: "applications" },
      scope: "Namespaced",
      versions: [{ name: "v1alpha1", served: true, storage: true }],
    },
  };
}

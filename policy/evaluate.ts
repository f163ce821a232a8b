/** Runs every policy over a stack's resources: what `npm run policy` does with an offline plan. */
import type { LocoPolicy, PolicyContext, PolicyResource } from "./resource";

export interface Violation {
  readonly policy: string;
  readonly urn: string;
  /** `<type> <name>`, how a reviewer finds the resource in a plan or a preview. */
  readonly resource: string;
  readonly message: string;
  readonly fix: string;
}

export function evaluatePolicies(
  policies: readonly LocoPolicy[],
  resources: readonly PolicyResource[],
  context: PolicyContext,
): Violation[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const describe = (urn: string) => {
    const resource = byUrn.get(urn);
    return resource ? `${resource.type} ${resource.name}` : urn;
  };
  return policies.flatMap((policy) => {
    const findings =
      policy.kind === "resource"
        ? resources.flatMap((resource) => policy.check(resource, context).map((f) => ({ ...f, urn: resource.urn })))
        : policy.check(resources, context);
    return findings.map((f) => ({
      policy: policy.name,
      urn: f.urn,
      resource: describe(f.urn),
      message: f.message,
      fix: f.fix ?? policy.fix,
    }));
  });
}

/** One line per violation: the policy, the resource, what is wrong, and the fix. */
export function formatViolation(violation: Violation): string {
  return `${violation.policy}: ${violation.resource}: ${violation.message}. Fix: ${violation.fix}.`;
}

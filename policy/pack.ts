/**
 * The loco policies as @pulumi/policy policies, for `pulumi preview --policy-pack policy`. Each one calls the same
 * pure check `npm run policy` calls; only the way a resource arrives differs.
 */
import type { Policies, PolicyResource as EnginePolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { fromEngineProps } from "./secret-aware-props";
import { stackOfUrn, type LocoPolicy, type PolicyResource } from "./resource";

const line = (message: string, fix: string) => `${message}. Fix: ${fix}.`;

function fromStackResource(resource: EnginePolicyResource): PolicyResource {
  const dependencies = new Set(resource.dependencies.map((d) => d.urn));
  for (const list of Object.values(resource.propertyDependencies ?? {})) for (const d of list) dependencies.add(d.urn);
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    protect: resource.opts.protect,
    inputs: fromEngineProps(resource.props),
    dependencies: [...dependencies].sort(),
  };
}

export function toPackPolicy(policy: LocoPolicy): ResourceValidationPolicy | StackValidationPolicy {
  const common = {
    name: policy.name,
    description: policy.description,
    enforcementLevel: "mandatory" as const,
    remediationSteps: policy.fix,
  };
  if (policy.kind === "resource") {
    return {
      ...common,
      validateResource: (args, reportViolation) => {
        const resource: PolicyResource = {
          urn: args.urn,
          type: args.type,
          name: args.name,
          protect: args.opts.protect,
          inputs: fromEngineProps(args.props),
          // Resource policies look at one resource; its dependencies are what stack policies read.
          dependencies: [],
        };
        for (const finding of policy.check(resource, { stack: stackOfUrn(args.urn) })) {
          reportViolation(line(finding.message, finding.fix ?? policy.fix));
        }
      },
    };
  }
  return {
    ...common,
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map(fromStackResource);
      const stack = resources.length > 0 ? stackOfUrn(resources[0].urn) : "";
      for (const finding of policy.check(resources, { stack })) {
        reportViolation(line(finding.message, finding.fix ?? policy.fix), finding.urn);
      }
    },
  };
}

export const toPackPolicies = (policies: readonly LocoPolicy[]): Policies => policies.map(toPackPolicy);

import { itemsOf, UnknownInput, type StackPolicy } from "../resource";

const projectType = "pulumi-nodejs:dynamic/harbor:Project";
const retentionType = "pulumi-nodejs:dynamic/harbor:RetentionPolicy";

export const harborRetention: StackPolicy = {
  kind: "stack",
  name: "harbor-retention-present",
  description:
    "Every Harbor project has a retention policy with at least one rule, so tenant images do not grow the registry's bucket without bound.",
  fix: "give the project a RetentionPolicy (registry/ does, from loco:registry.retention)",
  check(resources) {
    const retained = new Set(
      resources
        .filter((r) => r.type === retentionType && (r.inputs.rules instanceof UnknownInput || itemsOf(r.inputs.rules).length > 0))
        .flatMap((r) => r.dependencies),
    );
    return resources
      .filter((r) => r.type === projectType && !retained.has(r.urn))
      .map((r) => ({ urn: r.urn, message: `Harbor project ${r.name} has no retention policy with a rule` }));
  },
};

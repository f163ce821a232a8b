/**
 * What this stack's last successful run left behind: its own stack outputs, read through one StackReference to this
 * very stack and awaited before any resource is declared, so what the program decides from them (the rotation step,
 * stacks/rotation-state.ts; whether the cluster generation went backwards, stacks/cluster-generation-guard.ts) is a
 * plain value a preview shows.
 */
import * as pulumi from "@pulumi/pulumi";

/** One output as the last run left it: `value` when plain, `secretValue` when secret, neither when absent. */
export type PreviousOutput = pulumi.StackReferenceOutputDetails;

/** The last run's outputs the program asked for, by name. */
export type PreviousOutputs = Readonly<Record<string, PreviousOutput>>;

/**
 * Reads `names` from this stack's last run through one self StackReference (one read per run, however many outputs
 * the program needs). A stack's first run reads every name as absent.
 */
export async function readPreviousOutputs(names: readonly string[]): Promise<PreviousOutputs> {
  // Named when it read only the rotation state: a new name would show a read and a delete in every stack's preview.
  const self = new pulumi.StackReference(`${pulumi.getStack()}-rotation-state`, {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const details = await Promise.all(names.map((name) => self.getOutputDetails(name)));
  return Object.fromEntries(names.map((name, index) => [name, details[index]]));
}

/**
 * A cluster generation must never go backwards. A resurrector rebuild raises `loco:cluster.generation` only in its
 * own copy of this project (resurrector/rebuild/pulumi-converger.ts); the repository's Pulumi.<stack>.yaml still says
 * the old one. Deployed from the repository as it is, the next `pulumi up` would replace the rebuilt cluster
 * `…-g<N+1>` with a new `…-g<N>` and delete the rebuilt one, taking every tenant app down again. So each run compares
 * the configured generation with the one its last run deployed (the `cluster.generation` output, read before any
 * resource is declared) and stops, in one line, before declaring anything. A higher generation is allowed: that is
 * how a rebuild or an operator starts a new cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PreviousOutput } from "./previous-run";

/** The stack output whose `generation` field is the cluster generation the run deployed. */
export const clusterOutputName = "cluster";

/** The last run's `cluster` output is there but its generation is not a whole number from 1. */
export class DeployedGenerationError extends Error {
  override readonly name = "DeployedGenerationError";
}

/**
 * Pure: the generation the last run deployed, from its `cluster` output; undefined on a first run or when that run
 * predates the output (nothing to compare with). A secret `cluster` output still yields its generation: a number is
 * no secret, and it is never echoed beyond the number.
 */
export function deployedGeneration(output: PreviousOutput | undefined): number | undefined {
  const cluster = output?.value ?? output?.secretValue;
  if (cluster === undefined || cluster === null) return undefined;
  const generation = (cluster as { generation?: unknown }).generation;
  if (generation === undefined) return undefined;
  if (typeof generation !== "number" || !Number.isInteger(generation) || generation < 1) {
    throw new DeployedGenerationError(
      `stack output ${clusterOutputName}.generation is ${JSON.stringify(generation)}, not a whole number from 1: ` +
        `check \`pulumi stack output ${clusterOutputName}\``,
    );
  }
  return generation;
}

/** Pure: the one-line refusal of a configured generation below the deployed one; undefined when the run may go on. */
export function generationBehindProblem(stack: string, configured: number, deployed: number | undefined): string | undefined {
  if (deployed === undefined || configured >= deployed) return undefined;
  return (
    `loco:cluster.generation is ${configured} but stack ${stack} last deployed generation ${deployed} ` +
    `(a resurrector rebuild?): set loco:cluster.generation: ${deployed} in Pulumi.${stack}.yaml; ` +
    `deploying ${configured} would replace the running cluster and delete it`
  );
}

/** Stops the run, before any resource is declared, when the configured generation is behind the deployed one. */
export function requireGenerationNotBehind(stack: string, configured: number, previous: PreviousOutput | undefined): void {
  let deployed: number | undefined;
  try {
    deployed = deployedGeneration(previous);
  } catch (error) {
    if (error instanceof DeployedGenerationError) throw new pulumi.RunError(error.message);
    throw error;
  }
  const problem = generationBehindProblem(stack, configured, deployed);
  if (problem !== undefined) throw new pulumi.RunError(problem);
}

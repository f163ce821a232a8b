/**
 * The platform half of a rebuild: the Pulumi stack of the environment, converged by `pulumi up`, and the add-ons it
 * installs (the pinned charts of charts/index.ts). Tenants are applied only once these run.
 */
import { charts } from "../../charts/index";
import { compareStrings } from "../render/objects";

export interface PlatformRelease {
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
}

export interface PlatformStack {
  /** The Pulumi stack that describes this environment. */
  readonly stack: string;
  /** What on-call runs to converge it (cluster, add-ons, the shared Gateway, issuers). */
  readonly command: string;
  readonly releases: readonly PlatformRelease[];
}

export function platformStack(environment: string): PlatformStack {
  return {
    stack: environment,
    command: `pulumi up --stack ${environment}`,
    releases: charts
      .map((pin) => ({ chart: pin.chart, version: pin.version, repository: pin.repository }))
      .sort((a, b) => compareStrings(a.chart, b.chart)),
  };
}

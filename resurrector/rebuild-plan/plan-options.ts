/**
 * What a rebuild plan is made for: the environment (its Pulumi stack) and the base domain. Both end up in commands
 * on-call copies and in every tenant's labels and routes, so both are checked before anything is read. Messages
 * quote what they name as JSON; the commands escape what they print (terminal-text.ts).
 */
import type { MasterKey } from "../crypto/envelope";
import type { PlatformDomainRecord } from "../db/records";
import { isHostname, normalizeHostname } from "../render/names";
import { compareStrings } from "../render/objects";

export interface PlanOptions {
  /** The platform environment (dev, prod, local): the Pulumi stack to converge, LOCO_PROFILE, the environment label. */
  readonly environment: string;
  /** The base domain tenant apps live under; by default the one active platform domain that is not inside another. */
  readonly baseDomain?: string;
  /** With the master key, every stored environment and certificate is opened to prove a rebuild could restore it. */
  readonly masterKey?: MasterKey;
  /** The time certificates' validity is judged at. */
  readonly now: Date;
}

/** The plan cannot be made at all (as opposed to rows that are skipped). */
export class PlanError extends Error {
  override readonly name = "PlanError";
}

/** Pulumi's own rule for a stack name (what `pulumi stack init` accepts), without an organization or project. */
const stackName = /^[A-Za-z0-9_.-]{1,100}$/;

/** Why `environment` cannot name the Pulumi stack to converge; undefined when it can. */
export function environmentProblem(environment: string): string | undefined {
  if (stackName.test(environment)) return undefined;
  return `--environment ${JSON.stringify(environment)} is not a Pulumi stack name: use 1 to 100 letters, digits, '-', '_' or '.', such as prod`;
}

/** Why `baseDomain` cannot be the base domain; undefined when it can. */
export function baseDomainProblem(baseDomain: string): string | undefined {
  if (isHostname(normalizeHostname(baseDomain))) return undefined;
  return `--base-domain ${JSON.stringify(baseDomain)} is not a DNS name: use dot-separated labels of letters, digits and '-', such as loco.dev`;
}

/** The problems of the options given, in the order of the command line. */
export function planOptionProblems(options: Pick<PlanOptions, "environment" | "baseDomain">): string[] {
  return [
    environmentProblem(options.environment),
    options.baseDomain === undefined ? undefined : baseDomainProblem(options.baseDomain),
  ].filter((problem): problem is string => problem !== undefined);
}

/** The base domain: given, or the one active platform domain that no other active platform domain contains. */
export function chooseBaseDomain(platformDomains: readonly PlatformDomainRecord[], given?: string): string {
  if (given !== undefined) {
    const problem = baseDomainProblem(given);
    if (problem) throw new PlanError(problem);
    return normalizeHostname(given);
  }
  const active = platformDomains.filter((d) => d.isActive).map((d) => normalizeHostname(d.domain));
  const roots = active.filter((domain) => !active.some((other) => other !== domain && domain.endsWith(`.${other}`)));
  if (roots.length === 1) {
    if (!isHostname(roots[0])) {
      throw new PlanError(
        `the active platform domain ${JSON.stringify(roots[0])} is not a DNS name: give the base domain with --base-domain`,
      );
    }
    return roots[0];
  }
  throw new PlanError(
    roots.length === 0
      ? "no active platform domain in the database: give the base domain with --base-domain"
      : `several active platform domains (${roots.sort(compareStrings).join(", ")}): choose the base domain with --base-domain`,
  );
}

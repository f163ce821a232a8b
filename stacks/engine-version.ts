/**
 * The Pulumi engine this program needs. Issued credentials (the DNS token, Harbor's robot accounts) rotate through
 * the `replacementTrigger` resource option, which engines before 3.208 ignore without a word: on such an engine
 * nothing would ever rotate. So the run stops first.
 *
 * Two guards: `requiredPulumiVersion` in Pulumi.yaml (a CLI that knows the key refuses before starting the program),
 * and this check at the start of the program, which asks the engine itself. An engine too old to answer (the version
 * check arrived in releases after 3.208) cannot show that it honours the option, and is refused as well.
 */
import * as pulumi from "@pulumi/pulumi";

/** The oldest Pulumi CLI that honours `replacementTrigger`. Pulumi.yaml's requiredPulumiVersion says the same. */
export const minimumPulumiVersion = "3.208.0";

/** Asks the engine whether it is in a version range; rejects if not. Resolves with no engine (the offline plan). */
export type VersionRequirement = (range: string) => Promise<void>;

/** Stops the run with one line when the engine is older than {@link minimumPulumiVersion}. */
export async function requireEngineSupport(
  requireVersion: VersionRequirement = (range) => pulumi.requirePulumiVersion(range),
): Promise<void> {
  const needed = `this program needs Pulumi CLI ${minimumPulumiVersion} or newer`;
  const why = "older engines ignore replacementTrigger, so issued credentials would never rotate; upgrade the CLI (README)";
  try {
    await requireVersion(`>=${minimumPulumiVersion}`);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, " ").trim();
    if (/does not support the `?RequirePulumiVersion`? RPC/.test(message)) {
      throw new pulumi.RunError(`${needed}: this CLI is too old to report its version, and ${why}`);
    }
    throw new pulumi.RunError(`${needed} (${message}): ${why}`);
  }
}

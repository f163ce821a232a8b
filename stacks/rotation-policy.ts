/** How each platform-issued credential rotates, read from the stack config by the layers that issue them. */
import type { RotationPolicy } from "../components/secrets";
import type { StackConfig } from "./config";
import type { RotatingCredential } from "./rotating-credentials";

/** The rotation policy of one platform-issued credential: the stack's maximum age and the credential's own counter. */
export function rotationPolicy(config: Pick<StackConfig, "rotation">, credential: RotatingCredential): RotationPolicy {
  return { maxAgeDays: config.rotation.maxAgeDays, counter: config.rotation.counters[credential] ?? 0 };
}

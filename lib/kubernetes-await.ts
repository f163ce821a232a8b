/**
 * Annotations that make the Kubernetes provider wait, on create and update, until an object reports itself ready
 * (pulumi-kubernetes 4.18+: `pulumi.com/waitFor`, `pulumi.com/timeoutSeconds`). Whatever depends on such an object
 * then starts only once it is really usable, instead of retrying against something that is not there yet.
 */

const waitFor = "pulumi.com/waitFor";
const timeoutSeconds = "pulumi.com/timeoutSeconds";

/** Wait for a status condition (`kubectl wait --for=condition=...` syntax) to be True. */
export function awaitCondition(condition: string, timeout: number): Record<string, string> {
  return { [waitFor]: `condition=${condition}`, [timeoutSeconds]: String(timeout) };
}

/** The JSONPath wait for one Gateway listener's Programmed condition. */
export function listenerProgrammed(listener: string): string {
  return `jsonpath={.status.listeners[?(@.name=="${listener}")].conditions[?(@.type=="Programmed")].status}=True`;
}

/** Wait until every named Gateway listener is Programmed (its certificate resolved, its configuration in Envoy). */
export function awaitListenersProgrammed(listeners: readonly string[], timeout: number): Record<string, string> {
  return { [waitFor]: JSON.stringify(listeners.map(listenerProgrammed)), [timeoutSeconds]: String(timeout) };
}

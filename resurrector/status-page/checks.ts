/**
 * The checks the status page publishes: the platform's own names for what its users rely on, in the order the page
 * lists them. The watcher records probes under these names only (recordProbe refuses any other), so a tenant's name
 * or an internal host can never become a check on a public page by mistake.
 */
export interface PlatformCheck {
  /** The name shown on the page and recorded in the probe history. */
  readonly name: string;
  /** What it means for loco's users, one sentence for the page. */
  readonly description: string;
}

export const platformChecks: readonly PlatformCheck[] = [
  { name: "Public endpoint", description: "HTTPS to apps hosted on loco, through the load balancer and the gateway." },
  { name: "API", description: "loco's API: the CLI and deployments." },
  { name: "Dashboard", description: "loco's web app." },
  { name: "Registry", description: "Pushing and pulling app images." },
  { name: "Kubernetes control plane", description: "The cluster that runs every app: scheduling, scaling, deploying." },
];

export const platformCheckNames: readonly string[] = platformChecks.map((check) => check.name);

export function isPlatformCheck(name: string): boolean {
  return platformCheckNames.includes(name);
}

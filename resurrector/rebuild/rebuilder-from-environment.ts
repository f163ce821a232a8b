/**
 * The real rebuilder's dependencies from the resurrector worker's environment (components/resurrector-app.ts sets
 * it), so `rebuild` and `watch` wire the same rebuilder the same way: the Pulumi CLI on the PATH for converge,
 * DIGITALOCEAN_TOKEN to reach the new cluster (or a kubeconfig the operator names), LOCO_RESURRECTOR_KEY for the
 * sealed records, LOCO_ALERT_WEBHOOK_URL for notifications.
 */
import { resolve } from "node:path";
import { masterKeyVariable } from "../commands/master-key";
import { parseMasterKey } from "../crypto/envelope";
import { webhookNotifier } from "../notify/webhook";
import { digitalOceanClusterAccess, kubeconfigFileAccess, type ClusterAccess } from "./cluster-access";
import type { RebuilderDeps } from "./create-rebuilder";
import { pulumiConverger } from "./pulumi-converger";

/** Must say `true`, besides the caller's own switch (`rebuild --act`), for a rebuild to change anything. */
export const actVariable = "LOCO_RESURRECTOR_ACT";

/** This repository: its Pulumi program is what converge runs. */
const projectRoot = resolve(__dirname, "../..");

/** The environment cannot make a working rebuilder: one line naming the variable, never its value. */
export class RebuilderSetupError extends Error {
  override readonly name = "RebuilderSetupError";
}

export interface EnvironmentRebuilderOptions {
  /** loco's database. */
  readonly databaseUrl: string;
  /** A kubeconfig of the new cluster, instead of fetching it from DigitalOcean with DIGITALOCEAN_TOKEN. */
  readonly kubeconfigPaths?: readonly string[];
  /**
   * Refuse to build a rebuilder that could not reach the new cluster (no token, no kubeconfig): true when it may act,
   * so a rebuild never converges and only then finds it cannot go on.
   * @default true
   */
  readonly requireClusterAccess?: boolean;
  /** Progress lines and failed notifications. */
  readonly log: (line: string) => void;
  /** @default this repository */
  readonly workDir?: string;
  /** Passed on as they are. */
  readonly replay?: RebuilderDeps["replay"];
  readonly limits?: RebuilderDeps["limits"];
}

export function rebuilderDepsFromEnvironment(env: NodeJS.ProcessEnv, options: EnvironmentRebuilderOptions): RebuilderDeps {
  let clusterAccess: ClusterAccess;
  if (options.kubeconfigPaths) clusterAccess = kubeconfigFileAccess(options.kubeconfigPaths);
  else if (env.DIGITALOCEAN_TOKEN) clusterAccess = digitalOceanClusterAccess({ token: env.DIGITALOCEAN_TOKEN });
  else if (options.requireClusterAccess ?? true) {
    throw new RebuilderSetupError("acting needs DIGITALOCEAN_TOKEN (to fetch the new cluster's kubeconfig) or a kubeconfig");
  } else {
    clusterAccess = { target: () => Promise.reject(new RebuilderSetupError("this rebuilder has no way to reach the new cluster")) };
  }
  const encodedKey = env[masterKeyVariable];
  let masterKey;
  try {
    masterKey = encodedKey ? parseMasterKey(encodedKey) : undefined;
  } catch (error) {
    throw new RebuilderSetupError(`${masterKeyVariable}: ${(error as Error).message}`);
  }
  const webhook = env.LOCO_ALERT_WEBHOOK_URL;
  return {
    databaseUrl: options.databaseUrl,
    converger: pulumiConverger({ workDir: options.workDir ?? projectRoot }),
    clusterAccess,
    // Without a webhook nothing more is needed: the rebuilder logs every notification it sends.
    notifier: webhook ? webhookNotifier(webhook, { log: options.log }) : { notify: () => Promise.resolve() },
    masterKey,
    log: options.log,
    ...(options.replay ? { replay: options.replay } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  };
}

/**
 * The foundation of the local stack: an existing cluster, reached through a named kubeconfig context (never the
 * current one), and an existing PostgreSQL given as a secret URL. Nothing is created outside the cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { kubernetesProvider } from "../components/kubernetes-provider";
import { connectionFromUrl, type DatabaseConnection } from "../lib/database-connection";
import type { LocalStackConfig } from "./config";
import type { Foundation } from "./foundation";

export interface LocalFoundationArgs {
  /** The local stack's typed config (stacks/config.ts). */
  readonly config: LocalStackConfig;
}

export class LocalFoundation extends pulumi.ComponentResource implements Foundation {
  public readonly providers: readonly pulumi.ProviderResource[];
  public readonly database: { readonly connection: pulumi.Output<DatabaseConnection> };
  public readonly outputs: Record<string, unknown>;

  constructor(name: string, args: LocalFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:LocalFoundation", name, {}, opts);
    const { config } = args;

    const kubernetes = kubernetesProvider(
      `${name}-kubernetes`,
      {
        kind: "context",
        context: config.local.kubeContext,
        kubeconfigPath: config.local.kubeconfigPath,
        deleteUnreachable: config.deleteUnreachable,
      },
      { parent: this },
    );
    this.providers = [kubernetes];
    this.database = { connection: pulumi.secret(config.credentials.databaseUrl.apply(connectionFromUrl)) };
    // The stack output `database` is the loco layer's: the connection loco's API is given.
    this.outputs = { cluster: { context: config.local.kubeContext } };
    this.registerOutputs(this.outputs);
  }
}

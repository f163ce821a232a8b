/**
 * Grafana's admin password as a Pulumi resource (`pulumi-nodejs:dynamic/grafana:AdminPassword`): a rotation is
 * applied inside Grafana through its API (observability/grafana-admin-password.ts). The URL, user and password
 * travel as secret inputs, never inside the serialized provider code, and come back as secret outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { grafanaAdminPasswordProvider } from "../observability/grafana-admin-password";

const provider = grafanaAdminPasswordProvider();

export interface GrafanaAdminPasswordArgs {
  /** Where `pulumi up` reaches Grafana's API, e.g. https://dashboards.example.com. */
  readonly url: pulumi.Input<string>;
  /** Grafana's administrator. */
  readonly username: pulumi.Input<string>;
  /** The password Grafana must have (secret); a new value is changed inside Grafana with the previous one. */
  readonly password: pulumi.Input<string>;
}

export class GrafanaAdminPassword extends pulumi.dynamic.Resource {
  /** The password Grafana accepts now. Secret. */
  declare public readonly password: pulumi.Output<string>;

  constructor(name: string, args: GrafanaAdminPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { url: args.url, username: args.username, password: pulumi.secret(args.password) },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "password"] },
      "grafana",
      "AdminPassword",
    );
  }
}

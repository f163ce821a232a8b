/**
 * Scale out and scale to zero: KEDA and its HTTP add-on, on the core pool, in the `keda` namespace, and the
 * metrics API (metrics-server) that CPU and memory scaling reads.
 *
 * The add-on is installed as release `keda-add-ons-http` in `keda`, which gives the interceptor and external
 * scaler the Service names lib/keda-http.ts promises the tenant renderer. A sleeping app's HTTPRoute points at the
 * interceptor's proxy Service (through a ReferenceGrant per tenant namespace, lib/keda-http.ts), the interceptor
 * holds the request and tells KEDA to scale the app from zero, then forwards it. Apps declare an InterceptorRoute
 * and their own ScaledObject with an `external-push` trigger on the external scaler (HTTPScaledObject is deprecated).
 */
import * as pulumi from "@pulumi/pulumi";
import { kedaChart, kedaValues } from "../charts/keda";
import { kedaHttpAddOnChart, kedaHttpAddOnValues, type KedaHttpAddOnValuesArgs } from "../charts/keda-http-add-on";
import { metricsServerChart, metricsServerValues } from "../charts/metrics-server";
import { kedaHttpExternalScalerAddress, kedaHttpInterceptor, kedaNamespace } from "../lib/keda-http";
import { isQuantity } from "../lib/quantity";
import { chartRelease } from "./chart-release";
import { platformNamespace } from "./namespace";

/** Replica counts and sizes have no default here: each stack states them (stacks/config-defaults.ts). */
export interface KedaArgs {
  /** Replicas of KEDA's operator, metrics API server and webhooks (and of metrics-server). */
  readonly replicas: number;
  /**
   * Also install metrics-server (in kube-system, where its system priority class is allowed): CPU and memory based
   * scaling, the Envoy proxies' HPA included, reads it. Off where the cluster already serves metrics.k8s.io.
   */
  readonly metricsServer: boolean;
  /** The interceptor that holds requests for sleeping apps. */
  readonly interceptor: KedaHttpAddOnValuesArgs["interceptor"];
}

/** Helm release names: the add-on's Service names derive from them (lib/keda-http.ts). */
export const kedaReleases = { keda: "keda", httpAddOn: "keda-add-ons-http" } as const;

export class Keda extends pulumi.ComponentResource {
  /** What the tenant renderer needs to route a sleeping app and to scale it. */
  public readonly tenantContract: {
    readonly interceptor: { readonly service: string; readonly namespace: string; readonly port: number };
    readonly externalScalerAddress: string;
  };

  constructor(name: string, args: KedaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:traffic:Keda", name, {}, opts);
    validateKedaArgs(name, args, this);

    // Baseline: KEDA's own pods meet "restricted", but the add-on's chart sets neither runAsNonRoot nor a seccomp
    // profile, which "restricted" requires; warnings (namespace.ts) still report what falls short.
    const namespace = platformNamespace(`${name}-namespace`, { name: kedaNamespace, podSecurity: "baseline" }, { parent: this });
    const keda = chartRelease(
      `${name}-core`,
      kedaChart,
      { releaseName: kedaReleases.keda, namespace: namespace.metadata.name, values: kedaValues({ replicas: args.replicas }) },
      { parent: this },
    );
    chartRelease(
      `${name}-http-add-on`,
      kedaHttpAddOnChart,
      {
        releaseName: kedaReleases.httpAddOn,
        namespace: namespace.metadata.name,
        values: kedaHttpAddOnValues({ interceptor: args.interceptor }),
      },
      // The add-on scales its interceptor with a KEDA ScaledObject: KEDA's CRDs and operator must be there first.
      { parent: this, dependsOn: [keda] },
    );

    if (args.metricsServer) {
      chartRelease(
        `${name}-metrics-server`,
        metricsServerChart,
        { releaseName: "metrics-server", namespace: "kube-system", values: metricsServerValues({ replicas: args.replicas }) },
        { parent: this },
      );
    }

    this.tenantContract = {
      interceptor: { service: kedaHttpInterceptor.service, namespace: kedaHttpInterceptor.namespace, port: kedaHttpInterceptor.port },
      externalScalerAddress: kedaHttpExternalScalerAddress,
    };
    this.registerOutputs({});
  }
}

/** Pure: throws a ResourceError naming the first bad field. Config validation catches these first. */
export function validateKedaArgs(name: string, args: KedaArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`Keda ${name}: ${field} ${why}`, resource);
  };
  const { interceptor } = args;
  if (!Number.isInteger(args.replicas) || args.replicas < 1) fail("replicas", `must be at least 1, got ${args.replicas}`);
  if (interceptor.minReplicas < 1) fail("interceptor.minReplicas", `must be at least 1, got ${interceptor.minReplicas}`);
  if (interceptor.maxReplicas < interceptor.minReplicas) {
    fail("interceptor.maxReplicas", `must be >= minReplicas (${interceptor.minReplicas}), got ${interceptor.maxReplicas}`);
  }
  if (interceptor.coldStartTimeoutSeconds >= interceptor.requestTimeoutSeconds) {
    fail("interceptor.coldStartTimeoutSeconds", `must be below requestTimeoutSeconds (${interceptor.requestTimeoutSeconds})`);
  }
  if (!isQuantity(interceptor.memory)) fail("interceptor.memory", `"${interceptor.memory}" is not a Kubernetes quantity`);
  if (!isQuantity(interceptor.cpu)) fail("interceptor.cpu", `"${interceptor.cpu}" is not a Kubernetes quantity`);
}

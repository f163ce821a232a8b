/**
 * The NetworkPolicy every app gets: ingress only from the peers its kind names (its workspace, the gateway's
 * proxies, the interceptor; nothing at all for a worker), and egress to DNS, its workspace, the gateway, the
 * OpenTelemetry collector and the internet, but never to private ranges (other tenants' pods, the VPC, the cloud
 * metadata service).
 */
import type { INetworkPolicyIngressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import { kedaNamespace } from "../../lib/keda-http";
import { gatewayProxyPods as sharedGatewayProxyPods } from "../../lib/shared-gateway";
import { otelGateway } from "../../lib/telemetry-endpoints";
import { tenantLabels } from "../../lib/tenant-labels";
import type { AppIdentity } from "./app-identity";
import type { TenantObject } from "./objects";

export type IngressRule = INetworkPolicyIngressRule;

/** Private, shared and link-local ranges: other pods, nodes, the VPC and the cloud metadata service. */
const privateRanges = ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];

const networkPolicyName = "tenant-isolation";

/** Envoy Gateway labels the proxy pods of a Gateway with its name and namespace, wherever they are deployed. */
export const gatewayProxyPods: INetworkPolicyPeer = {
  namespaceSelector: {},
  podSelector: { matchLabels: { ...sharedGatewayProxyPods.labels } },
};

export const namespaceNamed = (name: string): INetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});

/** Every namespace of the app's workspace. */
export const ownWorkspace = (workspaceId: string): INetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { [tenantLabels.workspaceId]: workspaceId } },
});

/** The HTTP add-on's interceptor, which forwards requests to a sleeping app. */
export const kedaInterceptor = namespaceNamed(kedaNamespace);

/** The app's NetworkPolicy, admitting exactly `ingress` (an empty list admits nothing). */
export function networkPolicy(id: AppIdentity, workspaceId: string, ingress: readonly IngressRule[]): TenantObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: networkPolicyName, namespace: id.namespace, labels: id.labels },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [...ingress],
      egress: [
        {
          to: [{ ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
        { to: [ownWorkspace(workspaceId)] },
        // A sibling's public URL can be short-circuited to the gateway's proxies inside the cluster.
        { to: [gatewayProxyPods] },
        {
          to: [namespaceNamed(otelGateway.namespace)],
          ports: [
            { port: otelGateway.grpcPort, protocol: "TCP" },
            { port: otelGateway.httpPort, protocol: "TCP" },
          ],
        },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } }] },
      ],
    },
  };
}

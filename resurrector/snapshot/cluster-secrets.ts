/**
 * The live cluster's Secrets, as the snapshot reads them: every namespace, in pages, with their data still
 * base64-encoded as the API serves it (decoding, and refusing what does not decode, is map-secrets.ts's job).
 */
import { CoreV1Api } from "@kubernetes/client-node";
import type { KubeClient } from "../kube/api-client";

export interface ClusterSecret {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** As the API serves it: base64 values. */
  readonly data: Readonly<Record<string, string>>;
}

/** Where the snapshot gets the Secrets from: the cluster (kubeSecretReader), or whatever a caller injects. */
export interface SecretReader {
  listSecrets(): Promise<ClusterSecret[]>;
}

/** Secrets per list request: a cluster with thousands of apps is read in a few requests, none of them huge. */
export const defaultSecretPageSize = 500;

/** Reads every Secret of the cluster through client-node (needs `list secrets` in every namespace), `pageSize` per request. */
export function kubeSecretReader(client: KubeClient, pageSize = defaultSecretPageSize): SecretReader {
  const core = new CoreV1Api(client.configuration);
  return {
    async listSecrets() {
      const secrets: ClusterSecret[] = [];
      let next: string | undefined;
      do {
        const continueToken = next;
        const page = await client.call(() => core.listSecretForAllNamespaces({ limit: pageSize, _continue: continueToken }));
        for (const item of page.items) {
          secrets.push({
            namespace: item.metadata?.namespace ?? "",
            name: item.metadata?.name ?? "",
            type: item.type ?? "Opaque",
            labels: item.metadata?.labels ?? {},
            annotations: item.metadata?.annotations ?? {},
            data: item.data ?? {},
          });
        }
        next = page.metadata?._continue || undefined;
      } while (next);
      return secrets;
    },
  };
}

/** Every policy of the pack, in the order `npm run policy` reports them. */
import { chartsPinned } from "./policies/charts-pinned";
import { cloudflareTokenOneZone } from "./policies/cloudflare-token-one-zone";
import { databaseFirewallClosed } from "./policies/database-firewall-closed";
import { databaseHasFirewall } from "./policies/database-has-firewall";
import { harborRetention } from "./policies/harbor-retention";
import { imagesPinned } from "./policies/images-pinned";
import { loadBalancerClusterSameRegion } from "./policies/load-balancer-cluster-same-region";
import { namespacesPodSecurity } from "./policies/namespaces-pod-security";
import { noPlaintextSecrets } from "./policies/no-plaintext-secrets";
import { statefulResourcesProtected } from "./policies/stateful-resources-protected";
import type { LocoPolicy } from "./resource";

export const policies: readonly LocoPolicy[] = [
  statefulResourcesProtected,
  databaseFirewallClosed,
  databaseHasFirewall,
  imagesPinned,
  chartsPinned,
  namespacesPodSecurity,
  cloudflareTokenOneZone,
  noPlaintextSecrets,
  harborRetention,
  loadBalancerClusterSameRegion,
];

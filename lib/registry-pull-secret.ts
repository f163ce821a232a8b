/**
 * The image pull secret tenant pods reference: a dockerconfigjson Secret holding the registry's pull-only robot
 * credentials. The registry layer publishes the credentials; the tenant renderer writes this Secret into each
 * tenant namespace and names it in the pod spec.
 */
export const registryPullSecretName = "loco-registry-pull";

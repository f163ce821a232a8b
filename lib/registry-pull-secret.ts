/**
 * The image pull secret tenant pods reference: a dockerconfigjson Secret holding the registry's pull-only robot
 * credentials. The registry layer publishes the credentials; the tenant renderer writes this Secret into each
 * tenant namespace and names it in the pod spec.
 */
export const registryPullSecretName = "loco-registry-pull";

/**
 * The `.dockerconfigjson` value of that Secret (type kubernetes.io/dockerconfigjson) for one registry host. The
 * result holds the password: keep it a secret.
 */
export function dockerConfigJson(host: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [host]: { username, password, auth } } });
}

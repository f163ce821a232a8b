import { formatPath, visit, type Finding, type ResourcePolicy } from "../resource";

/** Key endings that name a credential: the last word, or the last two words, of the key. */
const secretLastWords = ["password", "passwd", "passphrase", "secret", "token", "kubeconfig", "apikey", "credentials"];
const secretLastTwoWords = ["secret key", "private key", "api key", "access key", "signing key", "encryption key", "client secret"];

/** `existingSecretAdminPassword` -> ["existing", "secret", "admin", "password"]; `password_secret_name` likewise. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/**
 * Whether a key names a credential by its last word(s). A key that starts with "existing" names a Kubernetes
 * Secret that holds one (the Helm charts' convention), and keys ending in name, key, ref or file point at one.
 */
export function isSecretLookingKey(key: string): boolean {
  const words = keyWords(key);
  if (words.length === 0 || words[0] === "existing") return false;
  const last = words.at(-1) ?? "";
  return secretLastWords.includes(last) || secretLastTwoWords.includes(words.slice(-2).join(" "));
}

/** A value that says where a credential is instead of holding it: `$VAR`, `${VAR}` or `${env:VAR}`. */
const isReference = (value: string) => /^\$(\{(env:)?)?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value);

/** `scheme://user:password@host`: a credential inside a URL. */
const credentialInUrl = /^[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;

const isPlaintext = (value: unknown): value is string => typeof value === "string" && value !== "" && !isReference(value);

export const noPlaintextSecrets: ResourcePolicy = {
  kind: "resource",
  name: "no-plaintext-secrets",
  description:
    "A value under a credential-looking key (password, token, secret, private key, ...), a URL with a password, or the data of a Kubernetes Secret is a Pulumi secret, never plaintext in state or a preview.",
  fix: "pass it as a secret (pulumi.secret(...), config.requireSecret, or an Output that is already secret), or point at a Kubernetes Secret (existingSecret, secretKeyRef)",
  check(resource) {
    const findings: Finding[] = [];
    const isKubernetesSecret = resource.type === "kubernetes:core/v1:Secret";
    visit(
      resource.inputs,
      (path, key, value) => {
        if (!isPlaintext(value)) return;
        if (isKubernetesSecret && (path[0] === "data" || path[0] === "stringData"))
          findings.push({ message: `${formatPath(path)} of a Kubernetes Secret is plaintext` });
        else if (isSecretLookingKey(key)) findings.push({ message: `${formatPath(path)} looks like a credential and is plaintext` });
        else if (credentialInUrl.test(value))
          findings.push({ message: `${formatPath(path)} is a URL with a password in it, in plaintext` });
      },
      { intoSecrets: false },
    );
    return findings;
  },
};

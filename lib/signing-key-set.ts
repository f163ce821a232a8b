/**
 * The key set loco's API signs its tokens with, and how it reaches the API: the seam between the credential that
 * rotates (two valid at once: the current key signs, the previous one still verifies during the overlap) and its
 * consumer (components/loco-control-plane.ts).
 *
 * The set arrives as files of one Secret mounted into the API's pods. A mounted Secret (unlike an environment variable)
 * is updated in place by the kubelet within about a minute, so a rotation reaches running pods without a restart:
 * the API re-reads the directory and verifies with every key listed in `jwks.json`.
 */
import { createPublicKey, type KeyObject } from "node:crypto";

/** One signing key: a private key in PEM and the id tokens name it by (`kid`). */
export interface SigningKey {
  /** The `kid` header of tokens signed with this key. */
  readonly keyId: string;
  /** PKCS#8 PEM private key: Ed25519, ECDSA P-256 or RSA. */
  readonly privateKeyPem: string;
}

/** The keys valid at one moment: `current` signs; `previous`, during an overlap, only verifies. */
export interface SigningKeySet {
  /** The key new tokens are signed with. */
  readonly current: SigningKey;
  /**
   * The key the last rotation replaced; tokens it signed still verify until the overlap ends.
   * @default undefined (no overlap open)
   */
  readonly previous?: SigningKey;
}

/** The Secret in loco's namespace that holds the set, and where the API's pods see its files. */
export const signingKeysMount = {
  secretName: "loco-api-signing-keys",
  directory: "/var/run/secrets/loco/signing-keys",
  /** The environment variable that tells loco's API where the directory is. */
  environmentVariable: "LOCO_SIGNING_KEYS_DIR",
} as const;

/** The files in the Secret: what signs, and every public key that verifies. */
export const signingKeyFiles = {
  currentKeyId: "current.kid",
  currentPrivateKey: "current.key.pem",
  publicKeys: "jwks.json",
} as const;

/** The JWS algorithm for a key, by its type (RFC 7518, RFC 8037). */
function algorithm(key: KeyObject): string {
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  if (key.asymmetricKeyType === "rsa") return "RS256";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  throw new Error(`signing key type ${key.asymmetricKeyType ?? "unknown"} is not Ed25519, ECDSA P-256 or RSA`);
}

/**
 * Pure: the Secret's files for a key set. Only the current private key is written: the previous key's job during the
 * overlap is to verify, which its public half does. Throws, without echoing any key, on a key it cannot read or two
 * keys with one id.
 */
export function signingKeySetFiles(set: SigningKeySet): Record<string, string> {
  const keys = [set.current, ...(set.previous ? [set.previous] : [])];
  if (set.previous && set.previous.keyId === set.current.keyId) {
    throw new Error(`signing key set: current and previous share the key id "${set.current.keyId}"; a rotation must issue a new id`);
  }
  const jwks = keys.map(({ keyId, privateKeyPem }) => {
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(privateKeyPem);
    } catch {
      throw new Error(`signing key "${keyId}" is not a PEM private key (value hidden)`);
    }
    return { ...publicKey.export({ format: "jwk" }), kid: keyId, use: "sig", alg: algorithm(publicKey) };
  });
  return {
    [signingKeyFiles.currentKeyId]: set.current.keyId,
    [signingKeyFiles.currentPrivateKey]: set.current.privateKeyPem,
    [signingKeyFiles.publicKeys]: JSON.stringify({ keys: jwks }),
  };
}

/** Secrets in recorded values: counting them, and masking them for anything written to disk or printed. */
import { SecretValue } from "./mock-runtime";

export const secretMask = "[secret]";

/** A deep copy with every secret replaced by "[secret]". */
export function masked(value: unknown): unknown {
  if (value instanceof SecretValue) return secretMask;
  if (Array.isArray(value)) return value.map(masked);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v)]));
  return value;
}

/**
 * Like {@link masked}, but a secret map keeps its keys (each value "[secret]"), so a Kubernetes object whose
 * `stringData` the SDK marks secret as a whole still has the shape its schema requires, and a reviewer sees which
 * keys a Secret holds.
 */
export function maskedKeepingKeys(value: unknown): unknown {
  if (value instanceof SecretValue) {
    const inner = value.value;
    if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      return Object.fromEntries(Object.keys(inner).map((k) => [k, secretMask]));
    }
    return secretMask;
  }
  if (Array.isArray(value)) return value.map(maskedKeepingKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskedKeepingKeys(v)]));
  return value;
}

/** Secret leaves in a value (a secret object counts once). */
export function countSecrets(value: unknown): number {
  if (value instanceof SecretValue) return 1;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countSecrets(v), 0);
  if (value && typeof value === "object") return Object.values(value).reduce((n: number, v) => n + countSecrets(v), 0);
  return 0;
}

/** A deep copy with object keys sorted, so serialized files are byte-identical run to run. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object" && !(value instanceof SecretValue)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

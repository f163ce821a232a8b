/**
 * Dynamic resources (the Harbor objects) carry their provider's code, serialized by Pulumi, in the `__provider`
 * input: tens of kilobytes of generated JavaScript per resource that no reviewer reads. The plan shows its size
 * and a digest instead, so a change to the provider code still shows up as a changed line.
 */
import { createHash } from "node:crypto";

export const providerCodeKey = "__provider";

/** Inputs with `__provider` replaced by a short, deterministic marker; other inputs untouched. */
export function summarizeProviderCode(inputs: Record<string, unknown>): Record<string, unknown> {
  const code = inputs[providerCodeKey];
  if (typeof code !== "string") return inputs;
  const digest = createHash("sha256").update(code).digest("hex").slice(0, 12);
  return { ...inputs, [providerCodeKey]: `[dynamic provider code: ${Buffer.byteLength(code)} bytes, sha256 ${digest}]` };
}

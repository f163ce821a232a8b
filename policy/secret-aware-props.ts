/**
 * Lets the pack's policies see which inputs are secret.
 *
 * The engine sends secrets to policy packs marked as secrets, but @pulumi/policy unwraps them before calling
 * `validateResource` / `validateStack`, so a policy cannot tell a secret from plaintext (pulumi/pulumi-policy#241,
 * open). Its remediation path keeps them, as `Secret` objects, by deserializing with `proxySecrets`. This makes
 * validation deserialize the same way and hands policies the underlying object, where each secret is a `Secret`
 * instance and each value preview cannot know is one of the SDK's sentinel strings. {@link fromEngineProps} turns
 * both into the model in ./resource.ts. @pulumi/policy is pinned exactly in package.json; the pack's end-to-end
 * test (test/policy-pack.test.ts) fails if a new version moves these internals.
 */
import { Secret } from "@pulumi/policy";
import { SecretInput, UnknownInput } from "./resource";

interface DeserializeModule {
  deserializeProperties: (struct: unknown, proxySecrets: boolean) => unknown;
}

interface ProxyModule {
  readonly getSpecialProxyTarget: string;
  readonly unknownBooleanValue: string;
  readonly unknownNumberValue: string;
  readonly unknownStringValue: string;
  readonly unknownArrayValue: string;
  readonly unknownAssetValue: string;
  readonly unknownArchiveValue: string;
  readonly unknownObjectValue: string;
}

const deserialize = require("@pulumi/policy/deserialize") as Partial<DeserializeModule>;
const proxy = require("@pulumi/policy/proxy") as Partial<ProxyModule>;

function internals(): { readonly original: DeserializeModule["deserializeProperties"]; readonly proxy: ProxyModule } {
  if (typeof deserialize.deserializeProperties !== "function" || typeof proxy.getSpecialProxyTarget !== "string") {
    throw new Error(
      "@pulumi/policy no longer has deserializeProperties or getSpecialProxyTarget: policy/secret-aware-props.ts must follow the new version",
    );
  }
  return { original: deserialize.deserializeProperties, proxy: proxy as ProxyModule };
}

let installed = false;

/** Makes every later validation receive props with secrets still marked. Idempotent. */
export function keepSecretsMarked(): void {
  if (installed) return;
  const { original, proxy: p } = internals();
  deserialize.deserializeProperties = (struct, proxySecrets) => {
    const props = original(struct, true) as Record<string, unknown>;
    return proxySecrets ? props : props[p.getSpecialProxyTarget];
  };
  installed = true;
}

/** The object behind the SDK's proxies (which would throw on reading an unknown value). */
function target(props: unknown): unknown {
  const key = internals().proxy.getSpecialProxyTarget;
  const inner = props && typeof props === "object" ? (props as Record<string, unknown>)[key] : undefined;
  return inner ?? props;
}

function convert(value: unknown, unknowns: ReadonlySet<string>): unknown {
  if (value instanceof Secret) return new SecretInput(convert(value.value, unknowns), true);
  if (typeof value === "string" && unknowns.has(value)) return UnknownInput.instance;
  if (Array.isArray(value)) return value.map((v) => convert(v, unknowns));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, unknowns)]));
  }
  return value;
}

/** A resource's props as the pack received them, in the model the policies read. */
export function fromEngineProps(props: unknown): Record<string, unknown> {
  const p = internals().proxy;
  const unknowns = new Set([
    p.unknownBooleanValue,
    p.unknownNumberValue,
    p.unknownStringValue,
    p.unknownArrayValue,
    p.unknownAssetValue,
    p.unknownArchiveValue,
    p.unknownObjectValue,
  ]);
  const converted = convert(target(props), unknowns);
  return converted && typeof converted === "object" && !Array.isArray(converted) ? (converted as Record<string, unknown>) : {};
}

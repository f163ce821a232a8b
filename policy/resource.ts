/**
 * A resource as the policies see it: the same shape whether it comes from the Pulumi engine (the policy pack,
 * during `pulumi preview` or `up`) or from an offline plan (`npm run policy`). Policies are pure functions over it.
 */

/**
 * A secret input. In the pack the value is there (the engine sends it); in a plan file it was written as
 * "[secret]" and is gone, so `revealed` is false. Policies never print it.
 */
export class SecretInput {
  constructor(
    readonly value: unknown,
    readonly revealed: boolean,
  ) {}
}

/** A value `pulumi preview` cannot know yet (an id or output of a resource not created). Policies skip it. */
export class UnknownInput {
  private constructor() {}
  static readonly instance = new UnknownInput();
}

export interface PolicyResource {
  readonly urn: string;
  /** The resource type token, e.g. `digitalocean:index/vpc:Vpc`: what policies select on, never names or URNs. */
  readonly type: string;
  readonly name: string;
  /** The `protect` resource option. */
  readonly protect: boolean;
  /** Inputs, with secrets as {@link SecretInput} and unknowns as {@link UnknownInput}. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** URNs the engine waits for before creating this resource (explicit and implied through inputs). */
  readonly dependencies: readonly string[];
}

export interface PolicyContext {
  /** The stack being checked, e.g. `prod` or `resurrector-prod`. */
  readonly stack: string;
}

/** What a resource policy reports about one resource. */
export interface Finding {
  readonly message: string;
  /** Overrides the policy's general fix when this finding needs a specific one. */
  readonly fix?: string;
}

/** What a stack policy reports: the resource it is about, and the finding. */
export interface StackFinding extends Finding {
  readonly urn: string;
}

interface PolicyBase {
  /** Unique, kebab-case: the name `pulumi preview` prints and `npm run policy` prefixes each line with. */
  readonly name: string;
  /** What the policy protects, in one sentence. */
  readonly description: string;
  /** What to change when it fires. */
  readonly fix: string;
}

/** Checks one resource at a time: in the pack it runs before the engine creates or updates the resource. */
export interface ResourcePolicy extends PolicyBase {
  readonly kind: "resource";
  check(resource: PolicyResource, context: PolicyContext): readonly Finding[];
}

/** Checks how resources relate: in the pack it runs once the whole program has registered. */
export interface StackPolicy extends PolicyBase {
  readonly kind: "stack";
  check(resources: readonly PolicyResource[], context: PolicyContext): readonly StackFinding[];
}

export type LocoPolicy = ResourcePolicy | StackPolicy;

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!match) throw new Error(`not a Pulumi URN: ${urn}`);
  return match[1];
}

/** A known string, looking through a revealed secret; undefined for anything else (unknown, masked, not a string). */
export function knownString(value: unknown): string | undefined {
  const plain = value instanceof SecretInput && value.revealed ? value.value : value;
  return typeof plain === "string" ? plain : undefined;
}

/** A value with any revealed secret around it removed, so structure can be inspected; masked secrets stay masked. */
export function reveal(value: unknown): unknown {
  return value instanceof SecretInput && value.revealed ? value.value : value;
}

/** `{ key: value }` children of a plain object, or none. */
export function entriesOf(value: unknown): [string, unknown][] {
  const plain = reveal(value);
  return plain && typeof plain === "object" && !Array.isArray(plain) && !(plain instanceof UnknownInput) && !(plain instanceof SecretInput)
    ? Object.entries(plain)
    : [];
}

export function itemsOf(value: unknown): unknown[] {
  const plain = reveal(value);
  return Array.isArray(plain) ? plain : [];
}

/** `value.a.b.c`, looking through revealed secrets; undefined where the path does not exist. */
export function valueAt(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    current = entriesOf(current).find(([k]) => k === key)?.[1];
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Visits every value under `value` with its path, descending into objects and arrays, and into revealed secrets
 * only when `intoSecrets` (a policy that looks for plaintext must stop at a secret: what is inside is protected).
 * Keys starting with `__` are the engine's own (a dynamic provider's serialized code) and are skipped.
 */
export function visit(
  value: unknown,
  onValue: (path: readonly string[], key: string, value: unknown) => void,
  options: { readonly intoSecrets: boolean },
  path: readonly string[] = [],
): void {
  if (value instanceof SecretInput && !options.intoSecrets) return;
  const plain = reveal(value);
  const children: [string, unknown][] = Array.isArray(plain) ? plain.map((item, i) => [String(i), item]) : entriesOf(plain);
  for (const [key, child] of children) {
    if (key.startsWith("__")) continue;
    onValue([...path, key], key, child);
    visit(child, onValue, options, [...path, key]);
  }
}

/** `a.b[0].c` for messages. */
export function formatPath(path: readonly string[]): string {
  return path.map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

/**
 * Runs a Pulumi program under Pulumi's mock runtime and records every registration as the engine would see it.
 *
 * The mock API (`setMocks`) hands `newResource` only a resource's type, name and inputs. The engine also gets the
 * parent, the provider, protect/ignoreChanges and, above all, the dependencies (explicit `dependsOn` plus those
 * implied by Output inputs); those travel on the register request the mock monitor receives. So this module
 * wraps the monitor's `registerResource` and reads them there. The offline plan and the test harness share it.
 */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { cloudPlaceholders, invokePlaceholder } from "./cloud-placeholders";

/** A secret value as the engine received it. Plan files print it as "[secret]". */
export class SecretValue {
  constructor(readonly value: unknown) {}
}

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Custom resources talk to a provider; component resources only group children. */
  readonly custom: boolean;
  readonly parent?: string;
  /** URN of the provider resource this resource uses; undefined means the package's default provider. */
  readonly provider?: string;
  /** URNs the engine waits for before creating this resource: explicit dependsOn and input dependencies. */
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  readonly ignoreChanges: readonly string[];
  readonly replaceOnChanges: readonly string[];
  readonly deleteBeforeReplace: boolean;
  readonly retainOnDelete: boolean;
  /** Set when the resource has a replacementTrigger (rotations use one). */
  readonly replacementTrigger?: unknown;
  /** Inputs, with secrets as {@link SecretValue}. */
  readonly inputs: Record<string, unknown>;
  /** Registration order, for tie-breaking only; files are sorted by URN. */
  readonly sequence: number;
}

export interface ProgramConfig {
  /** "namespace:key" -> string value, as Pulumi passes config to a program. */
  readonly values: Record<string, string>;
  /** Keys whose values are secrets. */
  readonly secretKeys: readonly string[];
}

export interface MockRun<T> {
  readonly resources: RecordedResource[];
  /** What the program returned (plain values; secrets unwrapped). */
  readonly result: T;
  /** The stack's outputs as registered, with secrets as {@link SecretValue}; undefined for a bare component run. */
  readonly stackOutputs?: Record<string, unknown>;
  /**
   * Every string the mocks generated for an output its provider marks secret (passwords, tokens, keys, robot
   * secrets): what must never reach a plan file in the clear.
   */
  readonly generatedSecrets: readonly string[];
}

export interface MockRunOptions {
  readonly project?: string;
  readonly stack?: string;
  readonly config?: ProgramConfig;
  /** Register a root Stack resource, as `pulumi up` does. Component tests leave it off. */
  readonly asStack?: boolean;
  /**
   * What a StackReference reads: the outputs the last run of the referenced stack left (a rotation run reads its own
   * stack's `rotation`). None by default: a plan is a stack's first run.
   */
  readonly previousOutputs?: Record<string, unknown>;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (entry: { getUrnsList(): string[] }, key: string) => void): void };
  getProtect(): boolean | undefined;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getRetainondelete(): boolean | undefined;
  getAdditionalsecretoutputsList(): string[];
  getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: (err: unknown, res: unknown) => void): Promise<void>;
  registerResourceOutputs(
    req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
    callback: (err: unknown, res: unknown) => void,
  ): void;
  newUrn(parent: string, type: string, name: string): string;
}

const stackReferenceType = "pulumi:pulumi:StackReference";

/** Converts the wire form (secrets as signature objects) into plain values with {@link SecretValue} markers. */
export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[specialSigKey] === specialSecretSig) return new SecretValue(fromWire(record.value));
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

const stringLeaves = (value: unknown): string[] =>
  typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(stringLeaves) : [];

function isWireSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

function toWireSecret(value: unknown): unknown {
  return { [specialSigKey]: specialSecretSig, value };
}

function providerUrn(reference: string): string | undefined {
  if (!reference) return undefined;
  const separator = reference.lastIndexOf("::");
  return separator > 0 ? reference.slice(0, separator) : reference;
}

/**
 * Runs `program` under mocks and returns what it registered. Throws if the program throws, a registration fails
 * or an Output rejects: a plan must never look complete when part of it failed.
 */
export async function runUnderMocks<T>(program: () => T | Promise<T>, options: MockRunOptions = {}): Promise<MockRun<T>> {
  const project = options.project ?? "loco-platform";
  const stack = options.stack ?? "test";
  pulumi.runtime.setAllConfig(options.config?.values ?? {}, [...(options.config?.secretKeys ?? [])]);

  const resources: RecordedResource[] = [];
  const secretOutputsByResource = new Map<string, string[]>();
  const generatedSecrets: string[] = [];
  let stackOutputs: Record<string, unknown> | undefined;
  let stackUrn: string | undefined;

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === stackReferenceType) {
          return { id: args.id ?? args.name, state: { ...args.inputs, outputs: options.previousOutputs ?? {}, secretOutputNames: [] } };
        }
        const placeholder = cloudPlaceholders(args.type, args.name, args.inputs);
        const state: Record<string, unknown> = { ...args.inputs, ...placeholder.state };
        for (const key of secretOutputsByResource.get(`${args.type}::${args.name}`) ?? []) {
          if (key in placeholder.state) generatedSecrets.push(...stringLeaves(placeholder.state[key]));
          // An input that was already secret comes back secret once, as the engine returns it.
          if (state[key] !== undefined && !isWireSecret(state[key])) state[key] = toWireSecret(state[key]);
        }
        return { id: placeholder.id, state };
      },
      call(args) {
        return invokePlaceholder(args.token, args.inputs);
      },
    },
    project,
    stack,
    false,
    // What `pulumi.getOrganization()` answers on a DIY backend; a StackReference to this stack names it.
    "organization",
  );

  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
    const dependencies = new Set(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((entry) => entry.getUrnsList().forEach((d) => dependencies.add(d)));
    secretOutputsByResource.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
    if (req.getType() === "pulumi:pulumi:Stack") stackUrn = urn;
    resources.push({
      urn,
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() || undefined,
      provider: providerUrn(req.getProvider()),
      dependencies: [...dependencies].sort(),
      protect: req.getProtect() === true,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      retainOnDelete: req.getRetainondelete() === true,
      replacementTrigger: req.getReplacementTrigger()?.toJavaScript(),
      inputs: fromWire(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      sequence: resources.length,
    });
    return register(req, callback);
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    if (req.getUrn() === stackUrn) stackOutputs = fromWire(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
    return registerOutputs(req, callback);
  };

  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    let result: T;
    try {
      result = options.asStack
        ? ((await pulumi.runtime.runInPulumiStack(async () => (await program()) as Record<string, unknown>)) as T)
        : await program();
    } finally {
      // Even when the program throws, registrations it started are still in flight; let them land here
      // rather than in whatever runs next.
      await waitForRegistrations();
    }
    if (failures.length > 0) throw failures[0];
    if (pulumi.log.hasErrors()) throw new Error("the program logged errors while registering resources (see above)");
    return { resources, result, stackOutputs, generatedSecrets: [...new Set(generatedSecrets)].sort() };
  } finally {
    // A failed program rejects the root Stack's promises too; let those rejections arrive while we listen.
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", onRejection);
  }
}

/** Waits until every registration and Output the program started has settled. */
async function waitForRegistrations(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
  if (!settings.waitForRPCs)
    throw new Error("@pulumi/pulumi no longer exports waitForRPCs: the plan cannot tell when the program has finished");
  await settings.waitForRPCs();
}

/**
 * `npm run rotate -- status`: for every credential, its kind, when it was issued, when it is due, whether an overlap
 * is open and who consumes it. Offline it works from the stack file (counters, maxAgeDays); given the stack's
 * outputs (the non-secret `rotation` output) it adds what the last run recorded and, for two-slot credentials, the
 * generation in use, the valid ones, and what the next run will do (the same step computation the program runs).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseYamlFile, YamlFileError } from "../lib/yaml-file";
import { consumerView, overlapOpen, twoSlotStep, type TwoSlotState } from "../components/two-slot-rotation";
import { configDefaults } from "./config-defaults";
import { credentialModel, modelledCredentialNames, type CredentialKind } from "./credential-model";
import { parseTwoSlotState, RotationStateError } from "./rotation-state";
import { assertStackName, StackNameError, stacksHint } from "./stack-name";

/** What a run records per credential in the stack output `rotation` (no secret in it). */
export interface RecordedRotation {
  readonly issuedAt: string;
  readonly dueAt: string;
  /** While the previous credential is still valid: until when. */
  readonly overlapUntil?: string;
  /** Two valid at once: the step the recording run took and the state the next run steps from. */
  readonly twoSlot?: { readonly phase: string; readonly state: TwoSlotState };
}

export interface CredentialStatus {
  readonly name: string;
  readonly kind: CredentialKind;
  readonly counter: number;
  /** From the stack's outputs, or "unknown" offline. */
  readonly issued: string;
  /** From the outputs; offline, the rule ("<maxAgeDays> days after issue"). */
  readonly due: string;
  readonly overlapOpen: boolean | "unknown";
  /** Two valid at once: the last run's step and what the next run will do, from the recorded state; else undefined. */
  readonly steps?: {
    readonly last: string;
    readonly next: string;
    readonly activeGeneration: number;
    readonly validGenerations: readonly number[];
  };
  readonly consumers: readonly string[];
  readonly applied: string;
}

export interface RotationStatus {
  readonly stack: string;
  readonly source: "stack config only" | "stack outputs";
  readonly maxAgeDays: number;
  readonly credentials: readonly CredentialStatus[];
}

/** Bad input (stack file, outputs): the message says what and where. */
export class RotationStatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationStatusError";
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The `rotation` output out of `pulumi stack output --json` text; each entry checked, naming the bad one. */
export function parseRecordedRotations(text: string, where: string): Readonly<Record<string, RecordedRotation>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RotationStatusError(`${where}: not JSON`);
  }
  const rotation = record(record(parsed)?.rotation);
  if (!rotation) return {};
  const recorded: Record<string, RecordedRotation> = {};
  for (const [name, value] of Object.entries(rotation)) {
    const entry = record(value);
    const issuedAt = entry?.issuedAt;
    const dueAt = entry?.dueAt;
    const overlapUntil = entry?.overlapUntil;
    if (typeof issuedAt !== "string" || typeof dueAt !== "string" || (overlapUntil !== undefined && typeof overlapUntil !== "string")) {
      throw new RotationStatusError(`${where}: rotation.${name} must have string issuedAt and dueAt (and optional overlapUntil)`);
    }
    let twoSlot: RecordedRotation["twoSlot"];
    // Only a two-slot entry's state has slots; an alternating pair's (`kind: "alternating users"`) is read as times.
    if (entry?.state !== undefined && entry.kind !== "alternating users") {
      try {
        twoSlot = { phase: String(entry.phase), state: parseTwoSlotState(name, entry.state) };
      } catch (error) {
        if (error instanceof RotationStateError) throw new RotationStatusError(`${where}: ${error.message}`);
        throw error;
      }
    }
    recorded[name] = { issuedAt, dueAt, ...(overlapUntil === undefined ? {} : { overlapUntil }), ...(twoSlot ? { twoSlot } : {}) };
  }
  return recorded;
}

/** Status of every modelled credential of `stack`, from its file and, when given, its recorded outputs. */
export function rotationStatus(
  projectDir: string,
  stack: string,
  recorded: Readonly<Record<string, RecordedRotation>> | undefined,
  now: Date,
): RotationStatus {
  let name: string;
  try {
    name = assertStackName(stack);
  } catch (error) {
    if (error instanceof StackNameError) throw new RotationStatusError(error.message);
    throw error;
  }
  const file = `Pulumi.${name}.yaml`;
  let text: string;
  try {
    text = readFileSync(join(projectDir, file), "utf8");
  } catch {
    throw new RotationStatusError(`${file} not found: "${name}" is not a stack of this project (${stacksHint(projectDir)})`);
  }
  let config: Record<string, unknown> | undefined;
  try {
    config = record(record(parseYamlFile(file, text))?.config);
  } catch (error) {
    if (error instanceof YamlFileError) throw new RotationStatusError(error.message);
    throw error;
  }
  const environment = config?.["loco:environment"];
  if (environment !== "dev" && environment !== "prod" && environment !== "local") {
    throw new RotationStatusError(`${file}: loco:environment must be dev, prod or local, got ${JSON.stringify(environment)}`);
  }
  const rotation = record(config?.["loco:rotation"]);
  const maxAgeDays = rotation?.maxAgeDays ?? record(configDefaults[environment].rotation)?.maxAgeDays;
  if (typeof maxAgeDays !== "number") throw new RotationStatusError(`${file}: loco:rotation.maxAgeDays must be a number`);
  const counters = record(rotation?.counters) ?? {};
  const overlapHours = rotation?.overlapHours ?? record(configDefaults[environment].rotation)?.overlapHours;

  const credentials = modelledCredentialNames.map((credential): CredentialStatus => {
    const model = credentialModel[credential];
    const counter = counters[credential];
    const seen = recorded?.[credential];
    const twoSlot = seen?.twoSlot;
    const steps =
      twoSlot && typeof overlapHours === "number"
        ? {
            last: twoSlot.phase,
            next: twoSlotStep(twoSlot.state, {
              counter: typeof counter === "number" ? counter : 0,
              now: now.toISOString(),
              maxAgeDays,
              overlapHours,
            }).action,
            activeGeneration: consumerView(twoSlot.state).use,
            validGenerations: consumerView(twoSlot.state).accept,
          }
        : undefined;
    return {
      name: credential,
      kind: model.kind,
      counter: typeof counter === "number" ? counter : 0,
      issued: seen?.issuedAt ?? "unknown",
      due: seen?.dueAt ?? `${maxAgeDays} days after issue`,
      // Two valid at once: open while two credentials are valid (from an issue until the retire step).
      overlapOpen: twoSlot
        ? overlapOpen(twoSlot.state)
        : seen
          ? seen.overlapUntil !== undefined && Date.parse(seen.overlapUntil) > now.getTime()
          : "unknown",
      ...(steps ? { steps } : {}),
      consumers: model.consumers,
      applied: model.applied,
    };
  });
  return { stack: name, source: recorded ? "stack outputs" : "stack config only", maxAgeDays, credentials };
}

/** The human-readable status: one block per credential. */
export function formatRotationStatus(status: RotationStatus): string {
  const lines = [`Stack ${status.stack}: credentials rotate after ${status.maxAgeDays} days (from ${status.source}).`];
  for (const credential of status.credentials) {
    const overlap = credential.overlapOpen === "unknown" ? "unknown" : credential.overlapOpen ? "open" : "closed";
    lines.push(
      "",
      `${credential.name} (${credential.kind}; applied: ${credential.applied})`,
      `  issued ${credential.issued}, due ${credential.due}, overlap ${overlap}, counter ${credential.counter}`,
      ...(credential.steps
        ? [
            `  in use: generation ${credential.steps.activeGeneration}; valid: ${credential.steps.validGenerations.join(", ")}; last run: ${credential.steps.last}; next run: ${credential.steps.next}`,
          ]
        : []),
      `  consumed by: ${credential.consumers.join("; ")}`,
    );
  }
  return lines.join("\n");
}

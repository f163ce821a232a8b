/**
 * One object onto the cluster by server-side apply, as the field manager `loco-resurrector`, with retries
 * (retry-policy.ts), and what the API server did with it, against what the cluster held when the replay began:
 * created (nothing was there), unchanged (the server kept the resourceVersion: it wrote nothing) or updated. A dry
 * run writes nothing either way, so there the answer is compared with what was there, without the server's own
 * metadata and status.
 *
 * A field-manager conflict (another writer holds a field with a different value) is not forced by default: that
 * writer is loco's API, its controller or an operator, and its value may be newer than the database snapshot the
 * replay works from, so overwriting it could roll an app back. The object is applied once more after a pause
 * (the other writer may have moved to the same value); a Deployment whose only conflict is `.spec.replicas` is
 * applied without it, since an autoscaler owns the count once the app runs. Anything else is reported, naming
 * the writer and the fields; `forceConflicts` (`--force-conflicts`) takes them over, for a cluster where nothing
 * newer can exist (a fresh one).
 */
import { PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { isDeepStrictEqual } from "node:util";
import type { KubeClient } from "../kube/api-client";
import { kubeFailure, type KubeFailure } from "../kube/api-errors";
import type { ObjectOutcome } from "./replay-report";
import { isRetryable, retryDelayMs, type RetryPolicy } from "./retry-policy";

export const fieldManager = "loco-resurrector";

export interface ApplySettings {
  readonly dryRun: boolean;
  readonly forceConflicts: boolean;
  readonly retry: RetryPolicy;
  /** The jitter's random source, in [0, 1). */
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface AppliedObject {
  readonly outcome: Exclude<ObjectOutcome, "not attempted">;
  readonly attempts: number;
  readonly reason?: string;
  /** The last failure was a connection that failed or was cut (no answer at all). */
  readonly unreachable: boolean;
}

/** Server metadata and status: what the comparison of before and after leaves out. */
const volatileMetadata = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink"];

/** An object as compared: plain JSON (client-node's models hold Dates), without what the server maintains. */
export function comparable(object: unknown): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
  const metadata = plain.metadata as Record<string, unknown> | undefined;
  if (metadata) for (const field of volatileMetadata) delete metadata[field];
  // List items carry no apiVersion and kind on a real server.
  delete plain.status;
  delete plain.apiVersion;
  delete plain.kind;
  return plain;
}

export const objectKey = (object: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }) =>
  `${object.apiVersion ?? ""}/${object.kind ?? ""}/${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;

function conflictReason(failure: KubeFailure): string {
  const held = failure.conflicts.map((c) => `${c.field} (held by ${c.manager})`).join(", ");
  return `conflict: ${held || failure.message}; another writer holds these fields with other values, and they are not taken over without --force-conflicts`;
}

const onlyReplicas = (object: KubernetesObject, failure: KubeFailure) =>
  object.kind === "Deployment" && failure.conflicts.length > 0 && failure.conflicts.every((c) => c.field === ".spec.replicas");

function withoutReplicas(object: KubernetesObject): KubernetesObject {
  const copy = structuredClone(object) as KubernetesObject & { spec?: { replicas?: number } };
  if (copy.spec) delete copy.spec.replicas;
  return copy;
}

/** What the server did, from what it answered and what was there before. */
function outcomeOf(before: KubernetesObject | undefined, live: KubernetesObject, dryRun: boolean): AppliedObject["outcome"] {
  if (!before) return "created";
  const same = dryRun
    ? isDeepStrictEqual(comparable(before), comparable(live))
    : before.metadata?.resourceVersion !== undefined && before.metadata.resourceVersion === live.metadata?.resourceVersion;
  return same ? "unchanged" : "updated";
}

/** Applies `object`; `before` is what the cluster held under its name when the replay began (undefined: nothing). */
export async function applyObject(
  client: KubeClient,
  object: KubernetesObject,
  before: KubernetesObject | undefined,
  settings: ApplySettings,
): Promise<AppliedObject> {
  let body = object;
  let reread = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const live = await client.call(() =>
        client.objects.patch(
          // client-node fills in defaults on the object it is given: each attempt gets its own copy.
          structuredClone(body),
          undefined,
          settings.dryRun ? "All" : undefined,
          fieldManager,
          settings.forceConflicts ? true : undefined,
          PatchStrategy.ServerSideApply,
        ),
      );
      return { outcome: outcomeOf(before, live, settings.dryRun), attempts: attempt, unreachable: false };
    } catch (error) {
      const failure = kubeFailure(error);
      const tried = attempt > 1 ? ` (after ${attempt} attempts)` : "";
      if (failure.status === 409 && failure.conflicts.length > 0) {
        if (reread || attempt >= settings.retry.attempts)
          return { outcome: "failed", attempts: attempt, reason: conflictReason(failure), unreachable: false };
        reread = true;
        if (onlyReplicas(body, failure)) {
          body = withoutReplicas(body);
          continue;
        }
        // Once more after a pause: the other writer may have moved to our value meanwhile. An apply carries no
        // resourceVersion, so the server judges it against the object as it is then: that is the re-read.
        await settings.sleep(retryDelayMs(attempt, failure, settings.retry, settings.random));
        continue;
      }
      if (isRetryable(failure) && attempt < settings.retry.attempts) {
        await settings.sleep(retryDelayMs(attempt, failure, settings.retry, settings.random));
        continue;
      }
      return { outcome: "failed", attempts: attempt, reason: `${failure.message}${tried}`, unreachable: failure.connection };
    }
  }
}

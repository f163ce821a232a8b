/**
 * Harbor's garbage collection schedule (one per Harbor), modelled on the Terraform provider's
 * `harbor_garbage_collection` (schedule, delete_untagged, workers).
 *
 * Retention and artifact deletion only drop references; blobs stay on storage until GC runs (harbor #17230), so
 * GC is scheduled after retention. There is always exactly one schedule, so "create" adopts whatever is there by
 * replacing it, and "delete" sets the schedule to None.
 */
import { cronProblem, type ArgProblem, type HarborObject } from "./harbor-object";

export interface GarbageCollectionArgs {
  /** When GC runs: a 6-field cron (seconds first), UTC. */
  readonly schedule: string;
  /** Also delete untagged artifacts (manifests no tag points at) before collecting blobs. */
  readonly deleteUntagged: boolean;
  /** Parallel GC workers, 1 to 5. */
  readonly workers: number;
}

export type GarbageCollectionState = GarbageCollectionArgs;

/** The only id the singleton schedule has. */
export const garbageCollectionId = "gc-schedule";

interface HarborGcSchedule {
  schedule?: { type?: string; cron?: string } | null;
  job_parameters?: string;
}

/**
 * Pure: the Schedule body. Harbor writes into `parameters` unconditionally (it panics on a body without it), and
 * reads `delete_untagged` and `workers` from it.
 */
export function gcScheduleRequest(args: GarbageCollectionArgs) {
  return {
    schedule: { type: "Custom", cron: args.schedule },
    parameters: { delete_untagged: args.deleteUntagged, workers: args.workers, dry_run: false },
  };
}

/** Pure: Harbor's schedule (GCHistory) in our shape; undefined when there is none. */
export function gcState(history: HarborGcSchedule | undefined): GarbageCollectionState | undefined {
  const type = history?.schedule?.type;
  if (!history || !type || type === "None") return undefined;
  let parameters: { delete_untagged?: boolean; workers?: number } = {};
  try {
    parameters = JSON.parse(history.job_parameters ?? "{}") as typeof parameters;
  } catch {
    // Unreadable parameters differ from anything we write, so the next update rewrites them.
  }
  return {
    schedule: type === "Custom" ? (history.schedule?.cron ?? "") : `(${type})`,
    deleteUntagged: parameters.delete_untagged === true,
    workers: parameters.workers ?? 1,
  };
}

export const harborGarbageCollection: HarborObject<GarbageCollectionArgs, GarbageCollectionState> = {
  kind: "garbage collection schedule",

  validate(args) {
    const problems: ArgProblem[] = [];
    const cron = cronProblem(args.schedule);
    if (cron) problems.push({ field: "schedule", reason: cron });
    if (!Number.isInteger(args.workers) || args.workers < 1 || args.workers > 5) {
      problems.push({ field: "workers", reason: `must be 1 to 5 (Harbor's limit), got ${args.workers}` });
    }
    return problems;
  },

  async create({ client }, args) {
    await client.request("PUT", "/system/gc/schedule", { body: gcScheduleRequest(args) });
    return { id: garbageCollectionId, state: args };
  },

  async read({ client }) {
    // Harbor answers 200 with an empty body when no schedule exists.
    return gcState((await client.request<HarborGcSchedule | undefined>("GET", "/system/gc/schedule")).body);
  },

  async update({ client }, _id, _state, args) {
    await client.request("PUT", "/system/gc/schedule", { body: gcScheduleRequest(args) });
    return args;
  },

  async remove({ client }) {
    await client.request("PUT", "/system/gc/schedule", { body: { schedule: { type: "None" }, parameters: {} } });
  },

  diff(state, args) {
    const changes = state.schedule !== args.schedule || state.deleteUntagged !== args.deleteUntagged || state.workers !== args.workers;
    return { changes, replaces: [] };
  },
};

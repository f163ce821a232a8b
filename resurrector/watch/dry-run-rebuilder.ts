/**
 * The Rebuilder the watch runs with until the rebuild (resurrector/rebuild/, `createRebuilder`) is wired in: it
 * changes nothing, says what a rebuild would do, and refuses a request to act, so no watch ever believes it rebuilt.
 */
import type { Notifier } from "../notify/notifier";
import type { RebuildOutcome, Rebuilder } from "../rebuild/rebuild-request";

/** The phases a rebuild runs, for the dry run's summary (the "Rebuild" section). */
const rebuildPhases = "converge the platform with a new cluster generation, restore certificates, replay every tenant app, verify";

export function dryRunRebuilder(notifier: Notifier): Rebuilder {
  return async (request) => {
    const outcome: RebuildOutcome = request.act
      ? {
          status: "refused",
          summary: `asked to act on ${request.stack}, but this resurrector has no rebuilder wired in: nothing was changed`,
        }
      : { status: "dry-run", summary: `dry run: a rebuild of ${request.stack} would ${rebuildPhases}` };
    await notifier.notify({
      cluster: request.stack,
      kind: "rebuild",
      text: `${request.stack}: ${outcome.summary}`,
      details: { ...outcome },
    });
    return outcome;
  };
}

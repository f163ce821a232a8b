/**
 * `resources.spec` of the apps a replay writes as loco's Applications: loco's per-resource defaults (region
 * resources, routing path prefix and idle timeout, observability). Read in a read-only transaction, like the
 * snapshot; the snapshot itself does not carry them because only the Application needs them.
 */
import type { ClientBase } from "pg";

export async function readResourceSpecs(client: ClientBase, resourceIds: readonly string[]): Promise<Map<string, unknown>> {
  await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const { rows } = await client.query<{ id: string; spec: unknown }>("SELECT id, spec FROM resources WHERE id = ANY($1::bigint[])", [
      resourceIds,
    ]);
    await client.query("COMMIT");
    return new Map(rows.map((row) => [row.id, row.spec]));
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/**
 * The master key, from the environment variables the resurrector's deployment sets from secrets.
 *
 * LOCO_RESURRECTOR_KEY is the current key. LOCO_RESURRECTOR_NEW_KEY is set only while the store moves to a new key
 * (`resurrector rekey`): then records are sealed under the new key and opened with either, so every resurrector
 * keeps reading and writing whichever key a record is under at that moment. After the rekey, the new key becomes
 * LOCO_RESURRECTOR_KEY and LOCO_RESURRECTOR_NEW_KEY is removed. docs/resurrector.md ("Snapshots and keys") has the steps.
 */
import { parseMasterKey, type MasterKey } from "../crypto/envelope";

export const masterKeyVariable = "LOCO_RESURRECTOR_KEY";
export const newMasterKeyVariable = "LOCO_RESURRECTOR_NEW_KEY";

function keyFrom(env: NodeJS.ProcessEnv, variable: string): MasterKey | undefined {
  const encoded = env[variable];
  if (encoded === undefined || encoded === "") return undefined;
  try {
    return parseMasterKey(encoded);
  } catch (error) {
    throw new Error(`${variable}: ${(error as Error).message}`);
  }
}

/**
 * The key if set; a malformed key is an error (never silently ignored), naming the variable but not the value.
 * With LOCO_RESURRECTOR_NEW_KEY also set, the new key seals and both open.
 */
export function masterKeyFromEnvironment(env: NodeJS.ProcessEnv): MasterKey | undefined {
  const current = keyFrom(env, masterKeyVariable);
  const next = keyFrom(env, newMasterKeyVariable);
  if (next && !current)
    throw new Error(`${newMasterKeyVariable} is set without ${masterKeyVariable}: set both while the store moves to the new key`);
  if (!next || !current || next.id === current.id) return current;
  return { ...next, alsoOpens: [current] };
}

/** The two keys of a rekey, both required and different. */
export function rekeyKeysFromEnvironment(env: NodeJS.ProcessEnv): { readonly from: MasterKey; readonly to: MasterKey } {
  const from = keyFrom(env, masterKeyVariable);
  const to = keyFrom(env, newMasterKeyVariable);
  if (!from || !to) {
    throw new Error(
      `rekey needs ${masterKeyVariable} (the current key) and ${newMasterKeyVariable} (the new one, e.g. \`openssl rand -base64 32\`)`,
    );
  }
  if (from.id === to.id) throw new Error(`${masterKeyVariable} and ${newMasterKeyVariable} are the same key (${from.id}): nothing to move`);
  return { from, to };
}

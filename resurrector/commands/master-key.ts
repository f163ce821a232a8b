/** The master key, from the environment variable the resurrector's deployment sets from a secret. */
import { parseMasterKey, type MasterKey } from "../crypto/envelope";

export const masterKeyVariable = "LOCO_RESURRECTOR_KEY";

/** The key if set; a malformed key is an error (never silently ignored), naming the variable but not the value. */
export function masterKeyFromEnvironment(env: NodeJS.ProcessEnv): MasterKey | undefined {
  const encoded = env[masterKeyVariable];
  if (encoded === undefined || encoded === "") return undefined;
  try {
    return parseMasterKey(encoded);
  } catch (error) {
    throw new Error(`${masterKeyVariable}: ${(error as Error).message}`);
  }
}

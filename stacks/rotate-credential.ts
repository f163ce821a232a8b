/**
 * Manual rotation: bumps `loco:rotation.counters.<credential>` in a stack file, keeping its comments and layout,
 * so the next `pulumi up` replaces that credential. The change is a reviewable one-line diff in git.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, parseDocument } from "yaml";
import { rotatingCredentialNames } from "./rotating-credentials";

export interface RotationRequest {
  readonly file: string;
  readonly credential: string;
  readonly from: number;
  readonly to: number;
}

export function rotateCredential(projectDir: string, stack: string, credential: string): RotationRequest {
  if (!rotatingCredentialNames.includes(credential)) {
    throw new Error(`"${credential}" is not a credential this platform rotates; known: ${rotatingCredentialNames.join(", ")}`);
  }
  const file = `Pulumi.${stack}.yaml`;
  const path = join(projectDir, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`${file} not found in ${projectDir}: is "${stack}" a stack of this project?`);
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error(`${file} is not valid YAML: ${document.errors[0].message}`);
  if (!isMap(document.get("config"))) throw new Error(`${file} has no config: map`);

  const key = ["config", "loco:rotation", "counters", credential];
  const current = document.getIn(key);
  if (current !== undefined && (!Number.isInteger(current) || (current as number) < 0)) {
    throw new Error(
      `${file}: loco:rotation.counters.${credential} is ${JSON.stringify(current)}, not a non-negative integer; fix it by hand first`,
    );
  }
  const from = (current as number | undefined) ?? 0;
  document.setIn(key, from + 1);
  writeFileSync(path, document.toString());
  return { file, credential, from, to: from + 1 };
}

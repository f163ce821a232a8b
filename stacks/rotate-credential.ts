/**
 * Manual rotation: bumps `loco:rotation.counters.<credential>` in a stack file, keeping its comments and layout,
 * so the next `pulumi up` replaces that credential. The change is a reviewable one-line diff in git.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMap } from "yaml";
import { yamlDocument, YamlFileError } from "../lib/yaml-file";
import { isRotatingCredential, rotatingCredentialNames } from "./rotating-credentials";
import { assertStackName, StackNameError, stacksHint } from "./stack-name";

/** A rotation request this file cannot carry out; the message says what and where, and the file is untouched. */
export class RotationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationRefusedError";
  }
}

export interface RotationRequest {
  readonly file: string;
  readonly credential: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Bumps the counter in `projectDir`/Pulumi.<stack>.yaml. Throws a {@link RotationRefusedError} on a stack name
 * Pulumi would refuse (which could otherwise name a file outside the project), a missing or broken stack file, an
 * unknown credential or a counter that is not a number.
 */
export function rotateCredential(projectDir: string, stack: string, credential: string): RotationRequest {
  try {
    return bumpCounter(projectDir, assertStackName(stack), credential);
  } catch (error) {
    if (error instanceof StackNameError || error instanceof YamlFileError) throw new RotationRefusedError(error.message);
    throw error;
  }
}

function bumpCounter(projectDir: string, stack: string, credential: string): RotationRequest {
  if (!isRotatingCredential(credential)) {
    throw new RotationRefusedError(
      `"${credential}" is not a credential this platform rotates; known: ${rotatingCredentialNames.join(", ")}`,
    );
  }
  const file = `Pulumi.${stack}.yaml`;
  const path = join(projectDir, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new RotationRefusedError(`${file} not found: "${stack}" is not a stack of this project (${stacksHint(projectDir)})`);
  }
  const document = yamlDocument(file, text);
  if (!isMap(document.get("config"))) throw new RotationRefusedError(`${file} has no config: map`);

  const key = ["config", "loco:rotation", "counters", credential];
  const current = document.getIn(key);
  if (current !== undefined && (!Number.isInteger(current) || (current as number) < 0)) {
    throw new RotationRefusedError(
      `${file}: loco:rotation.counters.${credential} is ${JSON.stringify(current)}, not a non-negative integer; fix it by hand first`,
    );
  }
  const from = (current as number | undefined) ?? 0;
  document.setIn(key, from + 1);
  writeFileSync(path, document.toString());
  return { file, credential, from, to: from + 1 };
}

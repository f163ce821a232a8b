/**
 * `npm run config:reference`: the config reference table (docs/config-reference.md) of every `loco:` setting and
 * its default per environment. `-- --write` replaces the table in docs/config-reference.md between its markers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { done, failure, type CommandResult } from "../lib/command-result";
import { configReference } from "../stacks/config-reference";
import { CliCommand, execute, runAsProcess } from "./command-line";

const markers = /(<!-- config-reference:start -->\n)[\s\S]*?(<!-- config-reference:end -->)/;

export function configReferenceCommand(argv: readonly string[], docsDir: string): Promise<CommandResult> {
  const program = new CliCommand("npm run config:reference --")
    .description("The table of every loco: setting and its default per environment, generated from the config schema.")
    .option("--write", "replace the table in docs/config-reference.md (between its config-reference markers) instead of printing it")
    .addHelpText("after", "\nExit codes: 0 done, 1 docs/config-reference.md has no markers, 64 bad command line.")
    .runs((options: { write?: boolean }) => (options.write === true ? writeReference(docsDir) : done(configReference())));
  return execute(program, argv);
}

function writeReference(docsDir: string): CommandResult {
  const path = join(docsDir, "config-reference.md");
  const document = readFileSync(path, "utf8");
  if (!markers.test(document))
    return failure(1, "docs/config-reference.md has no <!-- config-reference:start/end --> markers: put them back around the table");
  writeFileSync(
    path,
    document.replace(markers, (_, start: string, end: string) => `${start}${configReference()}\n${end}`),
  );
  return done("docs/config-reference.md: table rewritten.");
}

if (require.main === module) runAsProcess("config:reference", (argv) => configReferenceCommand(argv, join(__dirname, "..", "docs")));

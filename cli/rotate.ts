/**
 * `npm run rotate -- --stack <name> <credential>`: request rotation of a platform credential on the next
 * `pulumi up` by bumping its counter in Pulumi.<stack>.yaml. Exit codes: 0 done, 1 refused, 64 bad command line.
 * `npm run rotate -- status --stack <name> [--json] [--outputs FILE]`: every credential's kind, issue, due date,
 * overlap and consumers. `npm run rotate -- table [--write]`: the credentials table of docs/credentials.md.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Argument } from "commander";
import { done, failure, type CommandResult } from "../lib/command-result";
import { closest } from "../lib/did-you-mean";
import { credentialsTable } from "../stacks/credential-model";
import { rotateCredential, RotationRefusedError } from "../stacks/rotate-credential";
import {
  formatRotationStatus,
  parseRecordedRotations,
  rotationStatus,
  RotationStatusError,
  type RecordedRotation,
} from "../stacks/rotation-status";
import { isRotatingCredential, rotatingCredentialNames, rotatingCredentials } from "../stacks/rotating-credentials";
import { CliCommand, execute, InvalidArgumentError, runAsProcess } from "./command-line";
import { stackOption } from "./stack-option";

const credentialList = rotatingCredentialNames.map((name) => `  ${name}: ${rotatingCredentials[name]}`).join("\n");

export function rotateCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  if (argv[0] === "status") return statusCommand(argv.slice(1), projectDir);
  if (argv[0] === "table") return tableCommand(argv.slice(1), join(projectDir, "docs"));
  const program = new CliCommand("npm run rotate --")
    .description(
      "Request rotation of a platform credential on the next `pulumi up`: bumps loco:rotation.counters.<credential> in Pulumi.<stack>.yaml.",
    )
    .requiredOption("--stack <name>", "stack whose file to change: Pulumi.<name>.yaml", stackOption(projectDir))
    .addArgument(new Argument("<credential>", "the credential to rotate (listed below)").argParser(credentialName))
    .addHelpText(
      "after",
      `\nCredentials:\n${credentialList}\n\nAlso: \`npm run rotate -- status --help\`, \`npm run rotate -- table --help\`.\n\nExit codes: 0 done, 1 refused (the file is untouched), 64 bad command line.`,
    )
    .runs((credential: string, options: { stack: string }) => rotate(projectDir, options.stack, credential));
  return execute(program, argv);
}

function credentialName(value: string): string {
  if (isRotatingCredential(value)) return value;
  const suggestion = closest(value, rotatingCredentialNames);
  throw new InvalidArgumentError(
    `It is not a credential this platform rotates${suggestion ? ` (did you mean ${suggestion}?)` : ""}: --help lists them.`,
  );
}

function rotate(projectDir: string, stack: string, credential: string): CommandResult {
  try {
    const request = rotateCredential(projectDir, stack, credential);
    return done(
      `${request.file}: loco:rotation.counters.${request.credential} ${request.from} -> ${request.to}.\n` +
        `Next: \`pulumi preview -s ${stack}\` shows the credential replaced; \`pulumi up -s ${stack}\` rotates it; commit ${request.file}.`,
    );
  } catch (error) {
    if (error instanceof RotationRefusedError) return failure(1, error.message);
    throw error;
  }
}

interface StatusOptions {
  readonly stack: string;
  readonly json?: boolean;
  readonly outputs?: string;
}

function statusCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  const program = new CliCommand("npm run rotate -- status")
    .description(
      "For every platform credential: kind, issued, due, whether an overlap is open, and what consumes it. " +
        "Reads the stack's non-secret `rotation` output when it has one (--outputs, or `pulumi stack output --json` " +
        "when the Pulumi CLI is installed); otherwise works from the stack file alone.",
    )
    .requiredOption("--stack <name>", "stack: Pulumi.<name>.yaml", stackOption(projectDir))
    .option("--json", "print JSON instead of text")
    .option("--outputs <file>", "the saved output of `pulumi stack output --json` to read instead of asking the Pulumi CLI")
    .addHelpText("after", "\nExit codes: 0 done, 1 the stack file or the outputs are unreadable, 64 bad command line.")
    .runs((options: StatusOptions) => status(projectDir, options));
  return execute(program, argv);
}

function status(projectDir: string, options: StatusOptions): CommandResult {
  try {
    const recorded = options.outputs === undefined ? outputsFromPulumiCli(options.stack) : outputsFromFile(options.outputs);
    const report = rotationStatus(projectDir, options.stack, recorded, new Date());
    return done(options.json === true ? JSON.stringify(report, null, 2) : formatRotationStatus(report));
  } catch (error) {
    if (error instanceof RotationStatusError) return failure(1, error.message);
    throw error;
  }
}

function outputsFromFile(path: string): Readonly<Record<string, RecordedRotation>> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new RotationStatusError(`--outputs ${path}: cannot read the file`);
  }
  return parseRecordedRotations(text, `--outputs ${path}`);
}

/** Non-secret outputs only (no --show-secrets); undefined when there is no Pulumi CLI or no stack state to read. */
function outputsFromPulumiCli(stack: string): Readonly<Record<string, RecordedRotation>> | undefined {
  let text: string;
  try {
    text = execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 60_000,
    });
  } catch {
    return undefined;
  }
  return parseRecordedRotations(text, `pulumi stack output --json --stack ${stack}`);
}

const tableMarkers = /(<!-- credentials-table:start -->\n)[\s\S]*?(<!-- credentials-table:end -->)/;

function tableCommand(argv: readonly string[], docsDir: string): Promise<CommandResult> {
  const program = new CliCommand("npm run rotate -- table")
    .description("The table of every credential, its rotation kind and its consumers, generated from stacks/credential-model.ts.")
    .option("--write", "replace the table in docs/credentials.md (between its credentials-table markers) instead of printing it")
    .addHelpText("after", "\nExit codes: 0 done, 1 docs/credentials.md has no markers, 64 bad command line.")
    .runs((options: { write?: boolean }) => (options.write === true ? writeTable(docsDir) : done(credentialsTable())));
  return execute(program, argv);
}

function writeTable(docsDir: string): CommandResult {
  const path = join(docsDir, "credentials.md");
  const document = readFileSync(path, "utf8");
  if (!tableMarkers.test(document))
    return failure(1, "docs/credentials.md has no <!-- credentials-table:start/end --> markers: put them back around the table");
  writeFileSync(
    path,
    document.replace(tableMarkers, (_, start: string, end: string) => `${start}${credentialsTable()}\n${end}`),
  );
  return done("docs/credentials.md: table rewritten.");
}

if (require.main === module) runAsProcess("rotate", (argv) => rotateCommand(argv, join(__dirname, "..")));

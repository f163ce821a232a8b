/**
 * `npm run rotate -- --stack <name> <credential>`: request rotation of a platform credential on the next
 * `pulumi up` by bumping its counter in Pulumi.<stack>.yaml. Exit codes: 0 done, 1 refused, 64 bad command line.
 */
import { join } from "node:path";
import { Argument } from "commander";
import { done, failure, type CommandResult } from "../lib/command-result";
import { closest } from "../lib/did-you-mean";
import { rotateCredential, RotationRefusedError } from "../stacks/rotate-credential";
import { isRotatingCredential, rotatingCredentialNames, rotatingCredentials } from "../stacks/rotating-credentials";
import { CliCommand, execute, InvalidArgumentError, runAsProcess } from "./command-line";
import { stackOption } from "./stack-option";

const credentialList = rotatingCredentialNames.map((name) => `  ${name}: ${rotatingCredentials[name]}`).join("\n");

export function rotateCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  const program = new CliCommand("npm run rotate --")
    .description(
      "Request rotation of a platform credential on the next `pulumi up`: bumps loco:rotation.counters.<credential> in Pulumi.<stack>.yaml.",
    )
    .requiredOption("--stack <name>", "stack whose file to change: Pulumi.<name>.yaml", stackOption(projectDir))
    .addArgument(new Argument("<credential>", "the credential to rotate (listed below)").argParser(credentialName))
    .addHelpText(
      "after",
      `\nCredentials:\n${credentialList}\n\nExit codes: 0 done, 1 refused (the file is untouched), 64 bad command line.`,
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

if (require.main === module) runAsProcess("rotate", (argv) => rotateCommand(argv, join(__dirname, "..")));

/**
 * `npm run rotate -- --stack <name> <credential>`: request rotation of a platform credential on the next
 * `pulumi up` by bumping its counter in Pulumi.<stack>.yaml. Exit codes: 0 done, 1 refused, 2 bad command line.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { rotateCredential } from "../stacks/rotate-credential";
import { rotatingCredentials } from "../stacks/rotating-credentials";

const usage = `usage: npm run rotate -- --stack <name> <credential>\ncredentials:\n${Object.entries(rotatingCredentials)
  .map(([name, what]) => `  ${name}: ${what}`)
  .join("\n")}`;

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({ options: { stack: { type: "string" } }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const stack = parsed.values.stack;
  if (!stack || parsed.positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  try {
    const done = rotateCredential(join(__dirname, ".."), stack, parsed.positionals[0]);
    console.log(`${done.file}: loco:rotation.counters.${done.credential} ${done.from} -> ${done.to}.`);
    console.log(
      `Next: \`pulumi preview -s ${stack}\` shows the credential replaced; \`pulumi up -s ${stack}\` rotates it; commit ${done.file}.`,
    );
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}

process.exit(main());

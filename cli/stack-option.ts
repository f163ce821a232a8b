/** The `--stack` option of the commands that read a stack file: a name Pulumi accepts, reduced to the bare name. */
import { readStackProjectName, StackFileError } from "../plan/stack-file";
import { parseStackReference, StackNameError } from "../stacks/stack-name";
import { InvalidArgumentError } from "./command-line";

/**
 * A commander parser for `--stack`: `dev`, `acme/dev` or `acme/<project>/dev` become `dev` (the file is always
 * Pulumi.<bare name>.yaml); a name Pulumi would refuse, or another project's stack, is a bad command line.
 */
export function stackOption(projectDir: string): (value: string) => string {
  return (value) => {
    try {
      const reference = parseStackReference(value);
      const project = reference.project === undefined ? undefined : readStackProjectName(projectDir);
      if (project !== undefined && reference.project !== project) {
        throw new StackNameError(`stack ${JSON.stringify(value)} belongs to project "${reference.project}", but this is ${project}`);
      }
      return reference.stack;
    } catch (error) {
      if (error instanceof StackNameError) throw new InvalidArgumentError(`The ${error.message}.`);
      if (error instanceof StackFileError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

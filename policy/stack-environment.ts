/**
 * Which environment a stack belongs to, from its name alone: that is all the policy pack knows about a stack
 * (it reads it from URNs). `dev` and `prod` are environments; a stack that serves one is named `<what>-<env>`,
 * e.g. `resurrector-prod`. delivery/stacks.ts checks that this agrees with each stack file's `loco:environment`.
 */
export function environmentOfStack(stack: string): string {
  return stack.split("-").at(-1) ?? stack;
}

export function isProductionStack(stack: string): boolean {
  return environmentOfStack(stack) === "prod";
}

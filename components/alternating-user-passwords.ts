/**
 * The two passwords of an alternating users pair (components/alternating-users.ts), shared by the PostgreSQL and
 * ClickHouse pairs. Each is kept by the time its user's password was set, so a rotation step replaces only the idle
 * user's password and never the one the consumers' open sessions logged in with.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AlternatingUsersState, UserSlot } from "./alternating-users";

export function alternatingUserPasswords(
  name: string,
  state: AlternatingUsersState,
  parent: pulumi.Resource,
): Readonly<Record<UserSlot, pulumi.Output<string>>> {
  const password = (slot: UserSlot) =>
    new random.RandomPassword(
      `${name}-${slot}-password`,
      { length: 32, special: false, keepers: { passwordSetAt: state.passwordSetAt[slot] } },
      { parent },
    ).result;
  return { a: password("a"), b: password("b") };
}

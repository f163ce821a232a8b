/**
 * The password of Harbor's admin account, as a managed object so that it can rotate.
 *
 * The chart hands Harbor its admin password (`existingSecretAdminPassword`) only when the database is first
 * initialised; changing that Secret later changes nothing inside Harbor, and every API call made with the new
 * value would fail. So the platform changes it the way Harbor expects, `PUT /users/{id}/password` with the old
 * and the new password, and every other Harbor object takes its credentials from this resource's output, so
 * they are only ever used with the password Harbor really has.
 */
import { HarborClient } from "./harbor-api";
import type { ArgProblem, HarborObject } from "./harbor-object";

export interface AdminPasswordArgs {
  /** The password the admin account must have (secret). The connection's username is the account. */
  readonly password: string;
}

export interface AdminPasswordState extends AdminPasswordArgs {
  readonly userId: number;
}

interface CurrentUser {
  user_id: number;
  username: string;
  sysadmin_flag?: boolean;
}

/** Harbor's password policy for local users (8 to 128 characters, an upper- and a lowercase letter and a digit). */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8 || password.length > 128) return `must be 8 to 128 characters, got ${password.length}`;
  if (!/[a-z]/.test(password) || !/[A-Z]/.test(password) || !/[0-9]/.test(password)) {
    return "must contain an uppercase letter, a lowercase letter and a digit (Harbor's password policy)";
  }
  return undefined;
}

async function currentUser(client: HarborClient, what: string): Promise<CurrentUser> {
  try {
    return (await client.request<CurrentUser>("GET", "/users/current")).body;
  } catch (error) {
    if ((error as { status?: number }).status === 401) {
      throw new Error(
        `Harbor rejected the ${what}: ${(error as Error).message}. Harbor keeps the admin password its database was first ` +
          "initialised with, or the last one set through its API; if it was changed in Harbor's UI, set it back there (README: The registry, Rotating credentials).",
      );
    }
    throw error;
  }
}

export const harborAdminPassword: HarborObject<AdminPasswordArgs, AdminPasswordState> = {
  kind: "admin password",

  validate(args) {
    const problem = passwordProblem(args.password);
    return problem ? ([{ field: "password", reason: problem }] satisfies ArgProblem[]) : [];
  },

  async create({ client, connection }, args) {
    const user = await currentUser(client, `admin password for ${connection.username}`);
    if (user.sysadmin_flag !== true) throw new Error(`Harbor user ${user.username} is not a system administrator`);
    return { id: String(user.user_id), state: { password: args.password, userId: user.user_id } };
  },

  async read({ client }, _id, state) {
    const user = await currentUser(client, "admin password kept in state");
    return { password: state.password, userId: user.user_id };
  },

  async update({ connection, retry }, id, state, args, previous) {
    if (state.password !== args.password) {
      const withOld = new HarborClient({ ...previous, password: state.password }, retry);
      await withOld.request("PUT", `/users/${id}/password`, { body: { old_password: state.password, new_password: args.password } });
    }
    const user = await currentUser(new HarborClient({ ...connection, password: args.password }, retry), "new admin password");
    return { password: args.password, userId: user.user_id };
  },

  async remove() {
    // The account cannot be deleted and its password is whatever was set last; Harbor goes away with its release.
  },

  diff(state, args) {
    return { changes: state.password !== args.password, replaces: [] };
  },
};

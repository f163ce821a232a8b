/**
 * Turns a {@link HarborObject} into a Pulumi dynamic provider. Thin on purpose: the logic lives in the object
 * modules and is tested there; this only maps Pulumi's check/diff/create/read/update/delete onto them.
 *
 * Inputs are `{ connection, ...args }` and outputs `{ connection, ...state }`. The connection (Harbor URL and admin
 * credentials) travels as a secret input, never inside the provider's serialized code; outputs keep it so that
 * delete and refresh, which only see outputs, can still reach Harbor. A changed connection (a rotated admin
 * password) is an in-place update, so state never keeps credentials Harbor no longer accepts.
 *
 * This module is serialized into every dynamic resource (`__provider`): it imports no packages and no Pulumi
 * runtime, only the object modules and Node globals.
 */
import type * as pulumi from "@pulumi/pulumi";
import { defaultRetryPolicy, type HarborConnection, type RetryPolicy } from "./harbor-api";
import { sameJson, session, type HarborObject } from "./harbor-object";

type Props = Record<string, unknown> & { connection?: HarborConnection };

/** How the engine spells a value that is not known yet (during preview); the Node SDK's `rpc.unknownValue`. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const containsUnknown = (value: unknown): boolean =>
  value === unknownValue || (typeof value === "object" && value !== null && Object.values(value).some(containsUnknown));

/** Splits provider properties into the connection and the object's own fields (dropping Pulumi's `__provider`). */
export function splitProps<T>(props: Props): { connection: HarborConnection; fields: T } {
  const { connection, __provider: _provider, ...fields } = props;
  if (!connection?.url || !connection.username || !connection.password) {
    throw new Error("the Harbor connection (url, username, password) is missing from this resource's properties");
  }
  return { connection, fields: fields as T };
}

/** Pure: what is wrong with a connection before any request is sent. */
export function connectionProblems(connection: Partial<HarborConnection> | undefined): { property: string; reason: string }[] {
  const problems: { property: string; reason: string }[] = [];
  let url: URL | undefined;
  try {
    url = new URL(connection?.url ?? "");
  } catch {
    problems.push({ property: "connection.url", reason: `must be an absolute URL such as https://registry.example.com` });
  }
  if (url && url.protocol !== "https:" && url.protocol !== "http:")
    problems.push({ property: "connection.url", reason: "must be http(s)" });
  if (!connection?.username) problems.push({ property: "connection.username", reason: "must not be empty" });
  if (!connection?.password) problems.push({ property: "connection.password", reason: "must not be empty" });
  return problems;
}

export function harborProvider<Args, State extends object>(
  object: HarborObject<Args, State>,
  retry: RetryPolicy = defaultRetryPolicy,
): pulumi.dynamic.ResourceProvider {
  return {
    async check(_olds: Props, news: Props) {
      const { connection, __provider: _provider, ...fields } = news;
      // In a preview, values other resources compute are unknown: the object is validated once they are known
      // (the check `pulumi up` runs before creating it), and only the known parts of the connection now.
      const unknown = Object.keys(news).filter((key) => containsUnknown(news[key]));
      const objectProblems = unknown.length > 0 ? [] : object.validate(fields as Args);
      const failures = [
        ...(containsUnknown(connection) ? [] : connectionProblems(connection)),
        ...objectProblems.map((p) => ({ property: p.field, reason: p.reason })),
      ];
      return { inputs: news, failures };
    },

    async diff(_id: string, olds: Props, news: Props) {
      const { connection: previous, fields: state } = splitProps<State>(olds);
      const { connection, fields: args } = splitProps<Args>(news);
      const outcome = object.diff(state, args);
      return {
        changes: outcome.changes || !sameJson(previous, connection),
        replaces: [...outcome.replaces],
        deleteBeforeReplace: false,
      };
    },

    async create(inputs: Props) {
      const { connection, fields: args } = splitProps<Args>(inputs);
      const created = await object.create(session(connection, retry), args);
      return { id: created.id, outs: { connection, ...created.state } };
    },

    async read(id: string, props?: Props) {
      const { connection, fields: state } = splitProps<State>(props ?? {});
      const current = await object.read(session(connection, retry), id, state);
      // No id tells the engine the object is gone, so the next `pulumi up` recreates it.
      return current === undefined ? {} : { id, props: { connection, ...current } };
    },

    async update(id: string, olds: Props, news: Props) {
      const { connection: previous, fields: state } = splitProps<State>(olds);
      const { connection, fields: args } = splitProps<Args>(news);
      const updated = await object.update(session(connection, retry), id, state, args, previous);
      return { outs: { connection, ...updated } };
    },

    async delete(id: string, props: Props) {
      const { connection, fields: state } = splitProps<State>(props);
      await object.remove(session(connection, retry), id, state);
    },
  };
}

/**
 * Grafana's admin password as a managed object, so that rotating it changes it inside Grafana.
 *
 * Grafana applies `GF_SECURITY_ADMIN_PASSWORD` (the chart's admin Secret) only when it creates its database. Its
 * database is persisted, so a rotated Secret changes nothing inside Grafana, and the rotated value would not log in.
 * This provider changes the password the way Grafana expects, `PUT /api/user/password` authenticated with the old
 * one, and the stack publishes the password from this object's output: only what Grafana really accepts.
 *
 * A Grafana whose database was created after the rotation (a rebuilt cluster) already has the new password from its
 * environment; that counts as applied. Runs inside Pulumi's dynamic provider host, which deserializes it from a
 * closure: Node globals only (fetch, AbortSignal, Buffer, setTimeout), no packages.
 */

/** Where Grafana's API is and who its administrator is. */
export interface GrafanaAdmin {
  /** Base URL, e.g. https://dashboards.example.com. */
  readonly url: string;
  readonly username: string;
  /** The password Grafana must have (secret). */
  readonly password: string;
}

export interface AttemptPolicy {
  /** Attempts in total for a call that gets no answer or a 5xx (a Grafana pod still rolling). */
  readonly attempts: number;
  readonly delayMs: number;
  readonly timeoutMs: number;
}

export const defaultAttemptPolicy: AttemptPolicy = { attempts: 6, delayMs: 5_000, timeoutMs: 20_000 };

/** A call that failed; never carries a credential or a request body. */
export class GrafanaApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "GrafanaApiError";
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls Grafana's API as `username:password`; resolves with the status, retrying only transport errors and 5xx. */
export async function grafanaCall(
  admin: GrafanaAdmin,
  method: "GET" | "PUT",
  path: string,
  body: unknown,
  policy: AttemptPolicy = defaultAttemptPolicy,
): Promise<number> {
  const url = `${admin.url.replace(/\/+$/, "")}${path}`;
  const authorization = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString("base64")}`;
  let failure = "";
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method,
        headers: { authorization, "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await response.arrayBuffer();
      if (response.status < 500) return response.status;
      failure = `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      failure = cause ?? (error as Error).message;
      // An untrusted certificate stays untrusted: waiting cannot fix it.
      if (cause && /CERT|SELF_SIGNED|UNABLE_TO/.test(cause)) break;
    }
    if (attempt < policy.attempts) await sleep(policy.delayMs);
  }
  throw new GrafanaApiError(0, `Grafana ${method} ${path} at ${admin.url} failed: ${failure}`);
}

/** Whether Grafana accepts these credentials. */
async function accepts(admin: GrafanaAdmin, policy: AttemptPolicy): Promise<boolean> {
  const status = await grafanaCall(admin, "GET", "/api/user", undefined, policy);
  if (status === 200) return true;
  if (status === 401 || status === 403) return false;
  throw new GrafanaApiError(status, `Grafana GET /api/user at ${admin.url} answered HTTP ${status}`);
}

const rejected = (admin: GrafanaAdmin, what: string) =>
  new GrafanaApiError(
    401,
    `Grafana at ${admin.url} rejected ${what} for ${admin.username}: Grafana keeps the password its database was created with, ` +
      "or the last one set through its API; if it was changed in Grafana's UI, set it back there (docs/credentials.md)",
  );

/** First management: the password Grafana was installed with must log in. */
export async function adoptAdminPassword(admin: GrafanaAdmin, policy: AttemptPolicy = defaultAttemptPolicy): Promise<void> {
  if (!(await accepts(admin, policy))) throw rejected(admin, "the admin password it was installed with");
}

/**
 * Rotation: change `previous` to `next` inside Grafana, authenticated with the previous password. A Grafana that
 * already accepts `next` (its database was created after the rotation) needs nothing.
 */
export async function applyAdminPassword(
  previous: GrafanaAdmin,
  next: GrafanaAdmin,
  policy: AttemptPolicy = defaultAttemptPolicy,
): Promise<void> {
  if (previous.password !== next.password) {
    const status = await grafanaCall(
      previous,
      "PUT",
      "/api/user/password",
      { oldPassword: previous.password, newPassword: next.password, confirmNew: next.password },
      policy,
    );
    if (status !== 200 && !(await accepts(next, policy))) {
      if (status === 401 || status === 403) throw rejected(previous, "the previous admin password");
      throw new GrafanaApiError(status, `Grafana PUT /api/user/password at ${next.url} answered HTTP ${status}`);
    }
  }
  if (!(await accepts(next, policy))) throw rejected(next, "the new admin password");
}

type Props = { url?: string; username?: string; password?: string };

const adminOf = (props: Props): GrafanaAdmin => {
  if (!props.url || !props.username || !props.password) throw new Error("the Grafana url, username and password are required");
  return { url: props.url, username: props.username, password: props.password };
};

/** The dynamic provider: inputs and outputs are `{ url, username, password }`. */
export function grafanaAdminPasswordProvider(policy: AttemptPolicy = defaultAttemptPolicy) {
  return {
    async check(_olds: Props, news: Props) {
      const failures: { property: string; reason: string }[] = [];
      if (!/^https?:\/\/[^\s/]+/.test(String(news.url ?? ""))) failures.push({ property: "url", reason: "must be an http(s) URL" });
      if (!news.username) failures.push({ property: "username", reason: "must not be empty" });
      if (!news.password) failures.push({ property: "password", reason: "must not be empty" });
      return { inputs: news, failures };
    },
    async diff(_id: string, olds: Props, news: Props) {
      const changes = olds.url !== news.url || olds.username !== news.username || olds.password !== news.password;
      return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: Props) {
      const admin = adminOf(inputs);
      await adoptAdminPassword(admin, policy);
      return { id: admin.username, outs: { ...admin } };
    },
    async read(id: string, props?: Props) {
      // A password cannot be read back; what the last run applied is what Grafana has (drift shows at the next change).
      return { id, props: { ...props } };
    },
    async update(_id: string, olds: Props, news: Props) {
      const next = adminOf(news);
      await applyAdminPassword({ ...next, password: String(olds.password ?? "") }, next, policy);
      return { outs: { ...next } };
    },
    async delete() {
      // The admin account stays with Grafana; its password is whatever was applied last.
    },
  };
}

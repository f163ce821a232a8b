/**
 * The generic JSON webhook: each notification POSTed as `{ text, cluster, kind, details }`. `text` is what Slack's
 * incoming webhooks show, so a Slack URL works as is; anything else gets the structured fields too. Bounded by a
 * timeout and never throws: a failed delivery is one log line, and the rebuild goes on. The URL may embed a token
 * (Slack's do), so no message ever includes it; only its host is named.
 */
import type { Notification, Notifier } from "./notifier";

export interface WebhookOptions {
  /**
   * How long one delivery may take, in milliseconds.
   * @default 5000
   */
  readonly timeoutMs?: number;
  /** Where a failed delivery is said. @default console.error */
  readonly log?: (line: string) => void;
  /** The HTTP client (tests replace it). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The host a URL points at, for messages: never its path or query, where tokens live. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "an unparsable URL";
  }
}

export function webhookNotifier(url: string, options: WebhookOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const log = options.log ?? ((line: string) => console.error(line));
  const send = options.fetch ?? fetch;
  const where = `the alert webhook at ${hostOf(url)}`;
  return {
    notify: async (notification: Notification) => {
      const body = JSON.stringify({
        text: notification.text,
        cluster: notification.cluster,
        kind: notification.kind,
        details: notification.details ?? {},
      });
      try {
        const response = await send(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The body is not needed; reading it frees the connection.
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) log(`notify: ${where} answered HTTP ${response.status}; the ${notification.kind} notification was not delivered`);
      } catch (error) {
        const name = (error as Error).name;
        const reason =
          name === "TimeoutError" || name === "AbortError"
            ? `no answer within ${timeoutMs} ms`
            : ((error as { cause?: { code?: string } }).cause?.code ?? name ?? "unknown error");
        log(`notify: ${where} failed (${reason}); the ${notification.kind} notification was not delivered`);
      }
    },
  };
}

/**
 * Where the resurrector tells people what it decided and did (the watch's state changes, each rebuild phase). A
 * notifier never throws: a failed notification is logged and the rebuild goes on (resurrector/notify/webhook.ts).
 */

export interface Notification {
  /** The guarded cluster, e.g. "prod". */
  readonly cluster: string;
  /** What this is about: a watch decision, a rebuild phase, or a rebuild's end. */
  readonly kind: "decision" | "phase" | "rebuild";
  /** One line a person reads (Slack's `text`); never a secret. */
  readonly text: string;
  /** Non-secret structured details (counts, states, evidence). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface Notifier {
  /** Resolves whether or not the notification was delivered. */
  notify(notification: Notification): Promise<void>;
}

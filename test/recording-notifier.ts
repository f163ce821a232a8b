/** A Notifier for tests: keeps every notification; told to, it throws instead (the contract says it never does). */
import type { Notification, Notifier } from "../resurrector/notify/notifier";

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  failing = false;

  async notify(notification: Notification): Promise<void> {
    if (this.failing) throw new Error("webhook answered HTTP 503");
    this.sent.push(notification);
  }
}

/**
 * Text that ends up on the public page (probe details, rebuild phases, incident messages) is checked when it is
 * written, not when it is shown: a line that names an address or carries a credential is refused at the source,
 * with the reason, so the watcher's author learns of it from a failing call instead of from a reader.
 */

/** Longest probe detail or rebuild phase kept: one line on the page. */
export const maxPublishableLength = 160;

const checks: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /[\u0000-\u001f\u007f]/, reason: "contains a control character or a line break" },
  { pattern: /\b\d{1,3}(?:\.\d{1,3}){3}\b/, reason: "contains an IPv4 address" },
  // Full form, or compressed with "::" (a clock time such as 10:30:00 is neither).
  { pattern: /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|[0-9a-f]{1,4}::|::[0-9a-f]{1,4}\b/i, reason: "contains an IPv6 address" },
  { pattern: /\b[a-z][a-z0-9+.-]*:\/\//i, reason: "contains a URL" },
  { pattern: /\blocalhost\b|\.(?:svc|local|internal|cluster\.local|lan)\b/i, reason: "contains an internal host name" },
  { pattern: /\b(?:bearer|basic|token|password|secret|apikey|api_key)\b\s*[:=]/i, reason: "looks like it carries a credential" },
];

/** Why a text may not be published, or undefined when it may. */
export function publishableTextProblem(text: string, maxLength = maxPublishableLength): string | undefined {
  if (text.length > maxLength) return `is ${text.length} characters long (at most ${maxLength})`;
  return checks.find((check) => check.pattern.test(text))?.reason;
}

/**
 * Text from loco's database (org, workspace and app names, deployment messages, hostnames) printed on a terminal.
 * A newline in a name would forge plan lines, an escape sequence could clear the screen or rewrite what is shown:
 * every control and formatting character is printed escaped, as JSON writes it (`\n`, `\u001b`). Escaping happens
 * once, where text is printed; messages quote the values they name with JSON.stringify, as the JSON output does.
 */

/** C0 and C1 controls, DEL, and the invisible formatting characters (bidirectional overrides, zero-width, BOM). */
const unsafe = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

const named: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** JSON's escape: `\uXXXX` per UTF-16 unit (two for a character beyond the basic plane). */
const unicodeEscape = (character: string) =>
  Array.from({ length: character.length }, (_, i) => `\\u${character.charCodeAt(i).toString(16).padStart(4, "0")}`).join("");

const escape = (character: string) => named[character] ?? unicodeEscape(character);

/** `text` with every character that could control a terminal or forge a line escaped; unchanged when there is none. */
export const terminalSafe = (text: string): string => text.replace(unsafe, escape);

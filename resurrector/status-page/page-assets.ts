/**
 * The page's only style sheet and script, inline so the page is one request and works when the cluster (and any
 * CDN) does not; the Content-Security-Policy admits exactly these two by hash and nothing else.
 */
import { createHash } from "node:crypto";

/** Text colours per state, on the white page: each at least 4.5:1 (WCAG AA), checked by test/status-page.test.ts. */
export const stateColours = { healthy: "#1a7f37", degraded: "#8a5a00", down: "#c21f2b", unknown: "#58606a" } as const;
export const pageBackground = "#ffffff";
export const textColour = "#1f2328";

export const pageStyle = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: ${textColour}; background: ${pageBackground}; }
header, main, footer { max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1.5rem; }
.brand { margin: 0; font-weight: 700; letter-spacing: .04em; color: #58606a; }
h1 { margin: .25rem 0 1rem; font-size: 1.75rem; }
h2 { margin: 2rem 0 .75rem; font-size: 1.3rem; }
h3 { margin: 0; font-size: 1.05rem; }
a { color: #0550ae; }
a:focus-visible, .skip:focus { outline: 3px solid #0550ae; outline-offset: 2px; }
.skip { position: absolute; left: -999rem; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.overall { border: 2px solid currentColor; border-radius: .5rem; padding: .75rem 1rem; }
.overall .headline { margin: 0; font-size: 1.3rem; }
.overall p { margin: .25rem 0 0; color: ${textColour}; }
.overall .headline strong { color: inherit; }
.state-healthy { color: ${stateColours.healthy}; }
.state-degraded { color: ${stateColours.degraded}; }
.state-down { color: ${stateColours.down}; }
.state-unknown { color: ${stateColours.unknown}; }
.state { font-weight: 700; white-space: nowrap; }
.icon { display: inline-block; width: 1.2em; text-align: center; font-weight: 700; }
.rebuild { border-left: 4px solid ${stateColours.degraded}; padding: .25rem 1rem; background: #fff8e6; }
.checks { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
.check { border: 1px solid #d1d9e0; border-radius: .5rem; padding: .75rem 1rem; display: grid; grid-template-columns: 1fr auto; gap: .1rem 1rem; }
.check p { margin: 0; }
.check .description, .check .meta { grid-column: 1 / -1; color: #454c54; font-size: .95rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; color: #454c54; padding-bottom: .5rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d1d9e0; }
td.number { font-variant-numeric: tabular-nums; }
.history { margin: .75rem 0; }
.history p { margin: 0 0 .2rem; }
.bars { display: flex; gap: 1px; height: 2rem; }
.bar { flex: 1; border-radius: 1px; background: #d1d9e0; }
.bar-healthy { background: ${stateColours.healthy}; }
.bar-degraded { background: #bf8700; }
.bar-down { background: ${stateColours.down}; }
.bars-scale { display: flex; justify-content: space-between; color: #454c54; font-size: .85rem; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; list-style: none; color: #454c54; font-size: .9rem; }
.legend .bar { display: inline-block; width: .8rem; height: .8rem; vertical-align: middle; margin-right: .3rem; }
.incident { border: 1px solid #d1d9e0; border-radius: .5rem; padding: .75rem 1rem; margin-bottom: .75rem; }
.incident p { margin: .25rem 0; }
.timeline { margin: .5rem 0 0; padding-left: 1.25rem; }
.timeline li { margin: .35rem 0; }
.kind { font-weight: 700; }
footer { margin-top: 2.5rem; padding-bottom: 2rem; color: #454c54; font-size: .9rem; border-top: 1px solid #d1d9e0; }
`;

/**
 * Reloads the figures every minute without reloading the page: fetches it, swaps <main> and the footer, and
 * leaves them alone while the reader has focus inside (a keyboard user would lose their place).
 */
export const refreshScript = `
(() => {
  const everyMs = 60000;
  async function refresh() {
    if (document.hidden) return;
    const main = document.querySelector("main");
    if (main && main.contains(document.activeElement) && document.activeElement !== main) return;
    try {
      const response = await fetch(location.pathname, { headers: { accept: "text/html" }, cache: "no-store" });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const selector of ["main", "footer"]) {
        const fresh = next.querySelector(selector);
        const current = document.querySelector(selector);
        if (fresh && current) current.replaceWith(fresh);
      }
      document.title = next.title;
    } catch {
      // Offline or the server restarting: the next round tries again.
    }
  }
  setInterval(refresh, everyMs);
})();
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** Nothing but the inline style and script, requests to this origin, and no framing, forms, plugins or base URL. */
export const contentSecurityPolicy = [
  "default-src 'none'",
  `style-src ${sha256(pageStyle)}`,
  `script-src ${sha256(refreshScript)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

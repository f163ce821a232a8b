/**
 * `npm run config:reference`: the config reference table (docs/config-reference.md) of every `loco:` setting and its default per environment.
 * `-- --write` replaces the table in docs/config-reference.md between its markers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configReference } from "../stacks/config-reference";

const table = configReference();
if (process.argv.includes("--write")) {
  const path = join(__dirname, "..", "docs", "config-reference.md");
  const readme = readFileSync(path, "utf8");
  const markers = /(<!-- config-reference:start -->\n)[\s\S]*?(<!-- config-reference:end -->)/;
  if (!markers.test(readme)) throw new Error("docs/config-reference.md has no config-reference markers");
  writeFileSync(
    path,
    readme.replace(markers, (_, start: string, end: string) => `${start}${table}\n${end}`),
  );
} else {
  console.log(table);
}

/**
 * The plan diff as the comment a pull request gets (and the job summary): one table of every stack, then per
 * stack what changed by type, with the resources listed under a fold. Lists are cut so the comment stays well
 * under GitHub's 65,536-character limit; the artifact has everything.
 */
import type { MonthlyCost, PlanDiff, StackDiff } from "./plan-diff";

/** The first line of the comment, so a later run edits it instead of adding another. */
export const planDiffMarker = "<!-- loco-offline-plan -->";

const listLimit = 40;

const money = (n: number) => `$${n.toFixed(2)}`;
const range = (c: MonthlyCost) => (c.min === c.max ? money(c.min) : `${money(c.min)}–${money(c.max)}`);
const signed = (n: number) => `${n >= 0 ? "+" : "−"}${money(Math.abs(n))}`;

export function formatCostChange(base: MonthlyCost | undefined, head: MonthlyCost | undefined): string {
  if (!base && !head) return "n/a";
  if (!base) return `${range(head as MonthlyCost)} (new)`;
  if (!head) return `${range(base)} → none`;
  const deltaMin = head.min - base.min;
  const deltaMax = head.max - base.max;
  if (deltaMin === 0 && deltaMax === 0) return `${range(head)} (no change)`;
  const delta = deltaMin === deltaMax ? signed(deltaMin) : `${signed(deltaMin)} / ${signed(deltaMax)}`;
  return `${range(base)} → ${range(head)} (${delta})`;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function bullets(items: readonly string[]): string[] {
  const shown = items.slice(0, listLimit).map((item) => `- ${code(item)}`);
  if (items.length > listLimit) shown.push(`- … and ${items.length - listLimit} more (see the offline-plan artifact)`);
  return shown;
}

const statusNote: Record<StackDiff["status"], string> = {
  compared: "",
  new: " (new stack)",
  gone: " (stack removed)",
  unavailable: " (plan unavailable)",
};

function stackSection(diff: StackDiff): string[] {
  const lines = [`### ${diff.stack}${statusNote[diff.status]}`, ""];
  if (diff.note) lines.push(`> ${diff.note}`, "");
  if (diff.protectionRemoved.length > 0)
    lines.push("**Protection removed** (a later change could delete these):", ...bullets(diff.protectionRemoved), "");
  if (diff.byType.length === 0) {
    if (diff.status === "compared") lines.push("No resource changes.", "");
  } else {
    lines.push("| type | added | changed | removed |", "| --- | ---: | ---: | ---: |");
    for (const t of diff.byType) lines.push(`| ${code(t.type)} | ${t.added || ""} | ${t.changed || ""} | ${t.removed || ""} |`);
    lines.push("", "<details><summary>resources</summary>", "");
    if (diff.added.length > 0) lines.push("Added:", ...bullets(diff.added), "");
    if (diff.changed.length > 0) lines.push("Changed:", ...bullets(diff.changed.map((c) => `${c.resource} (${c.fields.join(", ")})`)), "");
    if (diff.removed.length > 0) lines.push("Removed:", ...bullets(diff.removed), "");
    lines.push("</details>", "");
  }
  if (diff.newSecretInputs.length > 0) lines.push("New secret inputs:", ...bullets(diff.newSecretInputs), "");
  if (diff.newSecretConfigKeys.length > 0)
    lines.push(
      "New secret config keys (set them in the stack's GitHub environments before merging, see docs/delivery.md):",
      ...bullets(diff.newSecretConfigKeys),
      "",
    );
  return lines;
}

const count = (diff: StackDiff, field: "added" | "changed" | "removed") => diff[field].length;

export function formatPlanDiffMarkdown(diff: PlanDiff, baseName: string): string {
  const lines = [
    planDiffMarker,
    `## Offline plan against ${baseName}`,
    "",
    "| stack | added | changed | removed | monthly cost | new secrets |",
    "| --- | ---: | ---: | ---: | --- | ---: |",
  ];
  for (const s of diff.stacks) {
    const secrets = s.newSecretInputs.length + s.newSecretConfigKeys.length;
    lines.push(
      `| ${s.stack}${statusNote[s.status]} | ${count(s, "added")} | ${count(s, "changed")} | ${count(s, "removed")} | ${formatCostChange(s.costBase, s.costHead)} | ${secrets} |`,
    );
  }
  lines.push("", "Evaluated offline (`npm run plan`): no cloud was read; matching is by URN.", "");
  for (const s of diff.stacks) lines.push(...stackSection(s));
  return `${lines.join("\n").trimEnd()}\n`;
}

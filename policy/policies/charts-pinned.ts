import { knownString, type ResourcePolicy } from "../resource";

const helmTypes = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** One exact chart version (semver, optionally with a leading v): no range, no wildcard. */
const exactVersion = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const chartsPinned: ResourcePolicy = {
  kind: "resource",
  name: "charts-pinned",
  description: "Every Helm chart is installed at one exact version, so a preview shows what `up` will install.",
  fix: "set the chart's exact version (charts/<chart>.ts pins each one; `npm run deps` lists them)",
  check(resource) {
    if (!helmTypes.includes(resource.type)) return [];
    const chart = knownString(resource.inputs.chart) ?? "";
    // A chart from a directory in this repository is pinned by the commit itself.
    if (chart.startsWith(".") || chart.startsWith("/")) return [];
    const version = resource.inputs.version;
    if (version === undefined || version === null || knownString(version) === "")
      return [{ message: `chart ${chart} has no version, so Helm installs whatever is newest` }];
    const text = knownString(version);
    if (text !== undefined && !exactVersion.test(text))
      return [{ message: `chart ${chart} version "${text}" is a range or a moving tag, not one exact version` }];
    return [];
  },
};

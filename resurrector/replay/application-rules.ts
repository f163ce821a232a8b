/**
 * loco's own rules for an Application spec (controller/api/v1alpha1/validator.go, team-loco/loco @ e08302e), which
 * loco's API checks before it writes one. An app that breaks them would be refused by loco itself; the replay
 * reports it with loco's reason instead of writing an object loco would never have written. Each rule is loco's,
 * limits included (a port from 1024, CPU 100m to 2000m, memory 32Mi to 4Gi, at most 10 replicas).
 */
import { parseQuantity } from "../../lib/quantity";
import type { LocoApplication } from "./loco-application-object";

const imagePattern = /^([a-z0-9\-._]+(\/[a-z0-9\-._]+)*)(:[a-z0-9\-._]+|@sha256:[a-f0-9]{64})?$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Fields = Record<string, unknown>;
const record = (value: unknown): Fields => (typeof value === "object" && value !== null ? (value as Fields) : {});
const integer = (value: unknown) => (typeof value === "number" ? value : 0);
const text = (value: unknown) => (typeof value === "string" ? value : "");

function quantityProblem(value: string, what: string, min: number, max: number, range: string): string | undefined {
  let amount: number;
  try {
    amount = parseQuantity(value);
  } catch {
    return `${what} ${JSON.stringify(value)} is not a quantity`;
  }
  return amount < min || amount > max ? `${what} ${value} is outside loco's ${range}` : undefined;
}

function deploymentProblems(deployment: Fields): string[] {
  const problems: string[] = [];
  const image = text(deployment.image);
  if (image === "") problems.push("image must be set");
  else if (!imagePattern.test(image)) problems.push(`image ${JSON.stringify(image)} is not in loco's image format`);
  else if (!image.includes(":") && !image.includes("@")) problems.push(`image ${JSON.stringify(image)} must include a tag or a digest`);
  const port = integer(deployment.port);
  if (port < 1024 || port > 65535) problems.push(`port ${port} is outside loco's 1024 to 65535`);
  if (deployment.healthCheck !== undefined) {
    const check = record(deployment.healthCheck);
    const path = text(check.path);
    if (!path.startsWith("/")) problems.push("healthCheck.path must be set and start with '/'");
    if (integer(check.startupGracePeriod) > 180)
      problems.push(`healthCheck.startupGracePeriod ${integer(check.startupGracePeriod)} exceeds 180 seconds`);
    if (integer(check.interval) < 5) problems.push(`healthCheck.interval ${integer(check.interval)} is below 5 seconds`);
    if (integer(check.timeout) > 60) problems.push(`healthCheck.timeout ${integer(check.timeout)} exceeds 60 seconds`);
    const threshold = integer(check.failThreshold);
    if (threshold < 1 || threshold > 10) problems.push(`healthCheck.failThreshold ${threshold} is outside 1 to 10`);
  }
  const env = Object.entries(record(deployment.env));
  if (env.length > 100) problems.push(`${env.length} environment variables (loco allows 100)`);
  const badNames = env.filter(([name]) => !envName.test(name)).map(([name]) => name);
  if (badNames.length > 0) problems.push(`environment variable names loco refuses: ${badNames.join(", ")}`);
  const empty = env.filter(([, value]) => value === "").map(([name]) => name);
  if (empty.length > 0) problems.push(`environment variables with empty values (loco refuses them): ${empty.join(", ")}`);
  return problems;
}

function resourcesProblems(resources: Fields): string[] {
  const problems: string[] = [];
  const cpu = text(resources.cpu);
  const memory = text(resources.memory);
  const cpuProblem = cpu && quantityProblem(cpu, "cpu", 0.1, 2, "100m to 2000m");
  const memoryProblem = memory && quantityProblem(memory, "memory", 32 * 2 ** 20, 4 * 2 ** 30, "32Mi to 4Gi");
  if (cpuProblem) problems.push(cpuProblem);
  if (memoryProblem) problems.push(memoryProblem);
  const replicas = record(resources.replicas);
  const [min, max] = [integer(replicas.min), integer(replicas.max)];
  if (min < 1) problems.push(`replicas.min ${min} is below loco's 1 (loco does not scale services to zero)`);
  if (max > 10) problems.push(`replicas.max ${max} exceeds loco's 10`);
  if (max > 0 && min > 0 && max < min) problems.push(`replicas.max ${max} is below replicas.min ${min}`);
  const scalers = record(resources.scalers);
  if (scalers.enabled === true) {
    for (const target of ["cpuTarget", "memoryTarget"] as const) {
      const value = integer(scalers[target]);
      if (value !== 0 && (value < 1 || value > 100)) problems.push(`scalers.${target} ${value} is outside 1 to 100`);
    }
  }
  return problems;
}

/** Everything loco's Validate() would refuse in this Application, each as one line; empty when loco accepts it. */
export function applicationProblems(application: LocoApplication): string[] {
  const problems: string[] = [];
  const spec = application.spec;
  if (!spec.resourceId) problems.push("resourceId must be set");
  if (!spec.workspaceId) problems.push("workspaceId must be set");
  const service = record(spec.serviceSpec);
  problems.push(...deploymentProblems(record(service.deployment)));
  problems.push(...resourcesProblems(record(service.resources)));
  const metrics = record(record(service.obs).metrics);
  if (metrics.enabled === true) {
    if (text(metrics.path) !== "" && !text(metrics.path).startsWith("/")) problems.push("obs.metrics.path must start with '/'");
    const port = integer(metrics.port);
    if (port < 1024 || port > 65535) problems.push(`obs.metrics.port ${port} is outside loco's 1024 to 65535`);
  }
  if (service.routing !== undefined) {
    const routing = record(service.routing);
    if (text(routing.hostName) === "") problems.push("routing.hostName must be set");
    if (text(routing.pathPrefix) !== "" && !text(routing.pathPrefix).startsWith("/"))
      problems.push("routing.pathPrefix must start with '/'");
    if (integer(routing.idleTimeout) < 0) problems.push("routing.idleTimeout cannot be negative");
  }
  return problems.map((problem) => `loco refuses it: ${problem}`);
}

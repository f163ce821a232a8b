/**
 * The GitHub environments the workflows run in. GitHub keeps their settings (secrets, variables, required
 * reviewers) outside the repository; this is the declaration the workflow rules check jobs against
 * (delivery/workflow-rules.ts) and docs/delivery.md tells an admin to create. Each stack environment CI deploys
 * has two: one that can change the stacks (`up`, rotation) and one that can only read them (previews of pull
 * requests, drift checks), so a pull request's code never runs with credentials that can write.
 */
export interface GithubEnvironment {
  /** The stacks' environment (`loco:environment`) it serves. */
  readonly serves: string;
  /** `deploy`: `pulumi up` and rotation; `read`: `pulumi preview` and drift checks. */
  readonly access: "deploy" | "read";
  /** Whether GitHub must hold each job for a reviewer's approval (Settings > Environments > Required reviewers). */
  readonly requiredReviewers: boolean;
}

export const githubEnvironments: Readonly<Record<string, GithubEnvironment>> = {
  dev: { serves: "dev", access: "deploy", requiredReviewers: false },
  prod: { serves: "prod", access: "deploy", requiredReviewers: true },
  "dev-preview": { serves: "dev", access: "read", requiredReviewers: false },
  "prod-preview": { serves: "prod", access: "read", requiredReviewers: false },
};

/** Stack environments whose changes need a person's approval. */
export const productionEnvironments: readonly string[] = ["prod"];

/** The GitHub environment for a stack environment and access, or undefined when none is declared. */
export function githubEnvironmentFor(environment: string, access: GithubEnvironment["access"]): string | undefined {
  return Object.entries(githubEnvironments).find(([, e]) => e.serves === environment && e.access === access)?.[0];
}

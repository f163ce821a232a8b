/**
 * The loco policy pack: `pulumi preview --policy-pack policy` (and `up`) load this file. It starts the pack's
 * gRPC server, so nothing else imports it; `npm run policy` runs the same policies against an offline plan.
 */
import { PolicyPack } from "@pulumi/policy";
import { toPackPolicies } from "./pack";
import { policies } from "./policies";
import { keepSecretsMarked } from "./secret-aware-props";

keepSecretsMarked();

new PolicyPack("loco-platform", { enforcementLevel: "mandatory", policies: toPackPolicies(policies) });

/**
 * The shape of loco's `Application` object, in a module of its own so the builder and loco's rules both read it
 * without importing each other.
 */
import type { locoApplication } from "../../lib/loco-system";

/** An Application as loco's controller reads it. */
export interface LocoApplication {
  readonly apiVersion: typeof locoApplication.apiVersion;
  readonly kind: typeof locoApplication.kind;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly type: "SERVICE";
    readonly resourceId?: number;
    readonly workspaceId?: number;
    readonly region?: string;
    readonly serviceSpec: Record<string, unknown>;
  };
}

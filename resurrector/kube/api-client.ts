/**
 * A @kubernetes/client-node client for one cluster, with the two things an unattended run needs on every request:
 * a deadline (client-node has none by default, so a request to a dying API could wait forever) and kept-alive
 * connections. client-node authenticates each request by building a fresh `https.Agent` from the kubeconfig, so
 * every request would pay a new TCP and TLS handshake; here the KubeConfig resolves the credentials (exec plugins
 * included) into headers at most every few seconds, and every request goes through one shared keep-alive agent
 * with the same TLS material (measured in docs/benchmarks.md).
 */
import { Agent, type AgentOptions, type RequestOptions } from "node:https";
import {
  ApiException,
  createConfiguration,
  KubernetesObjectApi,
  ServerConfiguration,
  type Configuration,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import { httpGet, type GetResult } from "../status/http-get";
import { RequestTimeoutError } from "./api-errors";
import type { KubeTarget } from "./kubeconfig";

export interface KubeClientOptions {
  /** Deadline of each request (connect, TLS, headers and body), in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Idle connections kept open for the next request: the caller's concurrency.
   * @default 16
   */
  readonly keepAliveSockets?: number;
}

/** How long resolved credential headers are reused; an exec credential is renewed by its own expiry underneath. */
const credentialReuseMs = 10_000;

/** The kubeconfig's credentials as request headers, resolved by client-node's KubeConfig and reused briefly. */
class CachedAuthentication {
  private headers?: { value: Promise<Record<string, string>>; until: number };

  constructor(private readonly target: KubeTarget) {}

  getName(): string {
    return "kubeconfig, cached";
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    if (!this.headers || this.headers.until < Date.now()) {
      const value = KubeClient.tlsOptions(this.target).then((options) =>
        Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, String(v)])),
      );
      this.headers = { value, until: Date.now() + credentialReuseMs };
      // A failed resolution is not reused.
      value.catch(() => (this.headers = undefined));
    }
    for (const [name, value] of Object.entries(await this.headers.value)) context.setHeaderParam(name, value);
  }
}

/** client-node's dynamic client, with its discovery lookup public: whether the cluster serves a kind. */
export class DynamicObjects extends KubernetesObjectApi {
  /** True when discovery lists the kind under the apiVersion; also fills the cache the other calls use. */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      return (await this.resource(apiVersion, kind)) !== undefined;
    } catch (error) {
      // A group/version the server does not serve at all answers 404 to discovery.
      if (error instanceof ApiException && error.code === 404) return false;
      throw error;
    }
  }
}

export class KubeClient {
  /** client-node configuration for its typed API classes: `new CoreV1Api(client.configuration)`. */
  readonly configuration: Configuration;
  /** client-node's dynamic client (any kind, by apiVersion and kind; server-side apply). */
  readonly objects: DynamicObjects;
  /** Requests sent so far (every attempt, discovery included). */
  requests = 0;

  private constructor(
    readonly target: KubeTarget,
    readonly timeoutMs: number,
    private readonly agent: Agent,
  ) {
    const deadline = {
      pre: async (context: RequestContext) => {
        this.requests += 1;
        context.setAgent(agent);
        context.setSignal(AbortSignal.timeout(timeoutMs));
        return context;
      },
      post: async (context: ResponseContext) => context,
    };
    this.configuration = createConfiguration({
      baseServer: new ServerConfiguration(target.server.origin + target.server.pathname.replace(/\/$/, ""), {}),
      authMethods: { default: new CachedAuthentication(target) },
      promiseMiddleware: [deadline],
    });
    this.objects = new DynamicObjects(this.configuration);
  }

  static async connect(target: KubeTarget, options: KubeClientOptions): Promise<KubeClient> {
    const tls = await KubeClient.tlsOptions(target);
    const agent = new Agent({
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      servername: tls.servername,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      keepAlive: true,
      // Never queue in the agent: node-fetch 2.7 (under client-node) reports the response of a request that waited
      // for a socket as "Premature close". Callers bound their own concurrency (the replay's workers do).
      maxSockets: Infinity,
      maxFreeSockets: options.keepAliveSockets ?? 16,
    } satisfies AgentOptions);
    return new KubeClient(target, options.timeoutMs, agent);
  }

  /** The TLS material and headers client-node derives from the kubeconfig for a raw request. */
  static async tlsOptions(target: KubeTarget): Promise<RequestOptions> {
    const options: RequestOptions = {};
    await target.kubeConfig.applyToHTTPSOptions(options);
    return options;
  }

  /** Runs one client-node call, turning its abort at the deadline into a {@link RequestTimeoutError}. */
  async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if ((error as Error | undefined)?.name === "AbortError") throw new RequestTimeoutError(`no answer within ${this.timeoutMs} ms`);
      throw error;
    }
  }

  /** A GET of a non-resource path (`/readyz`), authenticated by client-node, bounded by the deadline. */
  async getRaw(path: string): Promise<GetResult> {
    const options = await KubeClient.tlsOptions(this.target);
    return httpGet({
      url: new URL(path, this.target.server),
      timeoutMs: this.timeoutMs,
      headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, String(v)])),
      tls: {
        ca: options.ca as Buffer | undefined,
        cert: options.cert as Buffer | undefined,
        key: options.key as Buffer | undefined,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
        servername: options.servername,
      },
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

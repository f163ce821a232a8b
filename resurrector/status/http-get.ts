/**
 * One HTTP(S) GET with a hard deadline covering connect, TLS, headers and body: a probe can be slow, never stuck.
 * Also reports what the TLS handshake saw (whether the peer was trusted, its certificate's expiry), because the
 * public probe judges the certificate as well as the answer.
 */
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";

export interface TlsOptions {
  readonly ca?: Buffer | readonly Buffer[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Refuse the connection when the peer is not trusted (the API); false to report it instead (the public probe). */
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
}

export interface GetOptions {
  readonly url: URL;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly tls?: TlsOptions;
  /** Connect to this address instead of the URL's host (SNI and Host still come from the URL), like curl --resolve. */
  readonly connectTo?: string;
  /**
   * Bodies are cut at this size: probes read small JSON documents.
   * @default 8 MiB
   */
  readonly maxBodyBytes?: number;
}

export interface PeerCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly validTo: Date;
}

export interface GetResult {
  readonly status: number;
  readonly body: string;
  /** HTTPS only: whether the certificate chain and hostname verified, and if not, why. */
  readonly trusted?: boolean;
  readonly trustError?: string;
  readonly certificate?: PeerCertificate;
}

export class ProbeTimeoutError extends Error {
  override readonly name = "ProbeTimeoutError";
}

const describeName = (name: Record<string, string | string[]> | undefined) =>
  name
    ? Object.entries(name)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
        .join(", ")
    : "";

export function httpGet(options: GetOptions): Promise<GetResult> {
  const { url, timeoutMs } = options;
  const secure = url.protocol === "https:";
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  return new Promise<GetResult>((resolve, reject) => {
    let tlsInfo: Pick<GetResult, "trusted" | "trustError" | "certificate"> = {};
    const requestOptions: https.RequestOptions = {
      protocol: url.protocol,
      hostname: options.connectTo ?? url.hostname,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: { host: url.host, accept: "application/json, */*", ...options.headers },
      agent: false,
      ...(secure
        ? {
            ca: options.tls?.ca as Buffer[] | Buffer | undefined,
            cert: options.tls?.cert,
            key: options.tls?.key,
            rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
            // SNI carries host names only (RFC 6066): none when the API is addressed by IP.
            servername: options.tls?.servername ?? (isIP(url.hostname.replace(/^\[|\]$/g, "")) ? undefined : url.hostname),
          }
        : {}),
    };
    const request = (secure ? https : http).request(requestOptions, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBody) chunks.push(chunk);
      });
      response.on("end", () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ...tlsInfo });
      });
      response.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const timer = setTimeout(() => request.destroy(new ProbeTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on("socket", (socket) => {
      if (!secure) return;
      socket.once("secureConnect", () => {
        const tls = socket as TLSSocket;
        const peer = tls.getPeerCertificate();
        tlsInfo = {
          trusted: tls.authorized,
          trustError: tls.authorized ? undefined : String(tls.authorizationError ?? "not trusted"),
          certificate:
            peer && peer.valid_to
              ? {
                  subject: describeName(peer.subject as never),
                  issuer: describeName(peer.issuer as never),
                  validTo: new Date(peer.valid_to),
                }
              : undefined,
        };
      });
    });
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}

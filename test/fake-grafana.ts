/**
 * A stand-in for the part of Grafana's HTTP API the admin-password provider uses: `GET /api/user` and
 * `PUT /api/user/password`, with basic authentication against one account, as Grafana 12 answers them. Listens on
 * 127.0.0.1 only; tests read and set the account's password directly.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeGrafana {
  readonly url: string;
  /** The admin's password as Grafana holds it now. */
  password: string;
  /** Requests seen, as "METHOD path". */
  readonly requests: string[];
  /** Answer every request with this status (a pod still starting) while set. */
  failWith?: number;
  close(): Promise<void>;
}

export async function fakeGrafana(username: string, password: string): Promise<FakeGrafana> {
  const state: Omit<FakeGrafana, "url" | "close"> = { password, requests: [] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.requests.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (state.failWith) return send(state.failWith, { message: "Bad gateway" });
      const [user, pass] = Buffer.from(String(req.headers.authorization ?? "").replace(/^Basic /, ""), "base64")
        .toString()
        .split(":");
      if (user !== username || pass !== state.password) return send(401, { message: "Invalid username or password" });
      if (req.method === "GET" && req.url === "/api/user") return send(200, { id: 1, login: username, isGrafanaAdmin: true });
      if (req.method === "PUT" && req.url === "/api/user/password") {
        const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, string>;
        if (body.oldPassword !== state.password) return send(401, { message: "Invalid old password" });
        if (!body.newPassword || body.newPassword !== body.confirmNew) return send(400, { message: "Passwords do not match" });
        state.password = body.newPassword;
        return send(200, { message: "User password changed" });
      }
      return send(404, { message: "Not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

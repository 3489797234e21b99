import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { ReportsError } from "../errors.js";
import { type AppOptions, createApp } from "./app.js";

export interface RunningServer {
  /** `http://host:port` as bound (the port is the real one when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` (IPv6 in brackets) into its parts, or a usage error naming where it came from. */
export function parseListen(listen: string, where: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen.trim());
  const port = Number(match?.[2]);
  if (match === null || port > 65_535)
    throw new ReportsError("usage", `${where} ${listen}: expected HOST:PORT, e.g. 127.0.0.1:8080`);
  return { host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
}

/** Starts the HTTP face; an address in use or not ours is a usage error (exit 2) naming it. */
export function startServer(
  listen: { host: string; port: number },
  options: AppOptions,
): Promise<RunningServer> {
  const app = createApp({ ...options, listenHost: listen.host });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port });
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        new ReportsError(
          "usage",
          `cannot listen on ${listen.host}:${listen.port}: ${err.code === "EADDRINUSE" ? "the address is in use" : err.code === "EADDRNOTAVAIL" ? "no such address on this machine" : err.code === "EACCES" ? "permission denied (a port below 1024?)" : err.message}`,
        ),
      );
    });
    server.once("listening", () => {
      const address = server.address() as AddressInfo;
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}

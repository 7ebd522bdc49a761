import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Liveness } from "./consumer.js";

/**
 * Liveness for the ECS container health check: `GET /health` is 200 while the poll loops are turning and 503 once
 * they have made no progress for `stallMs` (a hung connection, a wedged loop, writes failing with every poll loop
 * full) or while shutting down. It never calls AWS itself: a short DynamoDB outage is retried in place and must not
 * get a healthy task replaced.
 */

export interface HealthReport {
  readonly status: "ok" | "stalled" | "stopping";
  readonly lastPollAt: string | null;
  readonly lastProgressAt: string;
  readonly stallSeconds: number;
}

export function assessHealth(liveness: Liveness, stallMs: number, now = Date.now()): HealthReport {
  const status = liveness.stopping ? "stopping" : now - liveness.lastProgressAt > stallMs ? "stalled" : "ok";
  return {
    status,
    lastPollAt: liveness.lastPollAt === undefined ? null : new Date(liveness.lastPollAt).toISOString(),
    lastProgressAt: new Date(liveness.lastProgressAt).toISOString(),
    stallSeconds: stallMs / 1_000,
  };
}

export interface HealthServer {
  readonly port: number;
  /** The address it is bound to. */
  readonly host: string;
  close(): Promise<void>;
}

/** Listens on `port` (0 = any free port, for tests) on `host` (default every interface; the ECS check calls 127.0.0.1). */
export async function startHealthServer(options: {
  readonly port: number;
  readonly host?: string;
  readonly stallMs: number;
  readonly liveness: () => Liveness;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || path !== "/health") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    const report = assessHealth(options.liveness(), options.stallMs);
    res
      .writeHead(report.status === "ok" ? 200 : 503, {
        "content-type": "application/json",
        "cache-control": "no-store",
      })
      .end(JSON.stringify(report));
  });
  // The health check opens a fresh connection each time; don't let idle keep-alive sockets delay exit.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    host: (server.address() as AddressInfo).address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { Agent, request } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestsReader } from "../src/requests-table.js";
import { SERVER_TIMEOUTS, shutdownGracefully } from "../src/server.js";
import { type RunningApi, startApi } from "./helpers.js";
import { captureLogger } from "../../../test/support/capture-logger.js";

const ID = "3f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c90";
const ITEM = JSON.stringify({ requestId: ID, status: "processed" });
/** The ALB's idle timeout for connections to targets (its default, which the infrastructure keeps). */
const ALB_IDLE_TIMEOUT_MS = 60_000;

/** A reader whose reads wait until the test releases them: a request held "in flight" at will. */
function gatedReader() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => (entered = resolve));
  const reader: RequestsReader = {
    getRequestJson: async () => {
      entered();
      await released;
      return ITEM;
    },
    ping: () => Promise.resolve(),
  };
  return { reader, inFlight, release };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, path: string, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

let api: RunningApi | undefined;
afterEach(async () => {
  if (api?.server.listening) await api.close();
  api = undefined;
});

describe("server: keep-alive behind the ALB", () => {
  it("server: keeps idle connections open longer than the ALB's 60 s idle timeout", async () => {
    api = await startApi({ requests: gatedReader().reader });
    expect(api.server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveTimeoutMs);
    expect(api.server.keepAliveTimeout).toBeGreaterThan(ALB_IDLE_TIMEOUT_MS);
  });

  it("server: sets headersTimeout above keepAliveTimeout and requestTimeout no lower than headersTimeout", async () => {
    api = await startApi({ requests: gatedReader().reader });
    expect(api.server.headersTimeout).toBeGreaterThan(api.server.keepAliveTimeout);
    expect(api.server.requestTimeout).toBeGreaterThanOrEqual(api.server.headersTimeout);
  });

  it("server: advertises the keep-alive timeout and reuses one connection for consecutive requests", async () => {
    api = await startApi({ requests: gatedReader().reader });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on("free", (socket) => sockets.add(socket));
    try {
      const first = await get(api.url, "/health", agent);
      const second = await get(api.url, "/health", agent);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.headers["keep-alive"]).toBe(`timeout=${SERVER_TIMEOUTS.keepAliveTimeoutMs / 1000}`);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});

describe("server: request log", () => {
  it("log: a client that goes away before the answer is logged as aborted, with no status (none was sent)", async () => {
    const gate = gatedReader();
    const logs = captureLogger({ base: { service: "api" } });
    api = await startApi({ requests: gate.reader, logger: logs.logger });
    const controller = new AbortController();
    const gone = fetch(`${api.url}/requests/${ID}`, { signal: controller.signal });
    await gate.inFlight;
    controller.abort();
    await expect(gone).rejects.toThrow();
    await vi.waitFor(() => expect(logs.lines.filter((l) => l.msg === "request")).toHaveLength(1), {
      timeout: 15_000,
    });
    gate.release();
    expect(logs.lines.find((l) => l.msg === "request")).toMatchObject({
      url: `/requests/${ID}`,
      status: null,
      aborted: true,
    });
  });
});

describe("server: graceful shutdown (SIGTERM path)", () => {
  it("shutdown: finishes a request in flight (telling the client to close its connection), refuses new connections, then resolves 'drained'", async () => {
    const gate = gatedReader();
    let shuttingDown = false;
    api = await startApi({ requests: gate.reader, isShuttingDown: () => shuttingDown });
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = get(api.url, `/requests/${ID}`, agent);
      await gate.inFlight;

      // What main.ts does on SIGTERM, while the request above is in flight.
      shuttingDown = true;
      const shutdown = shutdownGracefully(api.server, 30_000);
      await expect(fetch(`${api.url}/health`)).rejects.toThrow();

      gate.release();
      const reply = await inFlight;
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual(JSON.parse(ITEM));
      // Its keep-alive socket must not be reused while the server closes.
      expect(reply.headers.connection).toBe("close");
      await expect(shutdown).resolves.toBe("drained");
      expect(api.server.listening).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it("shutdown: closes idle keep-alive connections instead of waiting for them to time out", async () => {
    api = await startApi({ requests: gatedReader().reader });
    const agent = new Agent({ keepAlive: true });
    try {
      expect((await get(api.url, "/health", agent)).status).toBe(200);
      // The agent now holds an idle socket; with a 60 s timeout budget, only an active close ends this quickly.
      await expect(shutdownGracefully(api.server, 60_000)).resolves.toBe("drained");
    } finally {
      agent.destroy();
    }
  });

  it("shutdown: cuts a request that outlives the timeout and resolves 'forced', so the process exits before SIGKILL", async () => {
    const gate = gatedReader();
    api = await startApi({ requests: gate.reader });
    const stuck = get(api.url, `/requests/${ID}`);
    await gate.inFlight;
    await expect(shutdownGracefully(api.server, 100)).resolves.toBe("forced");
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
    gate.release();
  });

  it("while draining: /ready answers 503 shutting_down and every response asks the client to close the connection", async () => {
    api = await startApi({ requests: gatedReader().reader, isShuttingDown: () => true });
    const ready = await get(api.url, "/ready");
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ error: "shutting_down" });
    const health = await get(api.url, "/health");
    expect(health.status).toBe(200);
    expect(health.headers.connection).toBe("close");
  });
});

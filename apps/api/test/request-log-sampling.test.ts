import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestsReader } from "../src/requests-table.js";
import { startApi, type RunningApi } from "./helpers.js";
import { captureLogger } from "../../../test/support/capture-logger.js";

/**
 * Which requests get the api's own log line. The reader is a stand-in: what is under test is the logging decision
 * per outcome (found, not found, failed, abandoned), not DynamoDB (requests.test.ts reads the emulator).
 */

const FOUND = randomUUID();
const FAILS = randomUUID();
const HANGS = randomUUID();
const reader: RequestsReader = {
  getRequestJson: (id) => {
    if (id === FOUND) return Promise.resolve(`{"requestId":"${FOUND}"}`);
    if (id === FAILS) return Promise.reject(new Error("AccessDeniedException"));
    if (id === HANGS) return new Promise(() => {});
    return Promise.resolve(undefined);
  },
  ping: () => Promise.resolve(),
};

let api: RunningApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(requestLogSampleRate: number, draw = 0.5) {
  const logs = captureLogger({ base: { service: "api" } });
  api = await startApi({ requests: reader, logger: logs.logger, requestLogSampleRate, random: () => draw });
  const requestLines = () => logs.lines.filter((l) => l.msg === "request").map((l) => [l.url, l.status]);
  return { url: api.url, requestLines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("api: request log sampling", () => {
  it("request log: with a rate of 0, a 200 and a 404 get no line, a 500 always does", async () => {
    const { url, requestLines } = await start(0);
    const missing = randomUUID();
    expect((await fetch(`${url}/requests/${FOUND}`)).status).toBe(200);
    expect((await fetch(`${url}/requests/${missing}`)).status).toBe(404);
    expect((await fetch(`${url}/requests/${FAILS}`)).status).toBe(500);
    await settle();
    expect(requestLines()).toEqual([[`/requests/${FAILS}`, 500]]);
  });

  it("request log: below 500, a request is logged when the draw falls under the rate", async () => {
    const under = await start(0.5, 0.49);
    await fetch(`${under.url}/requests/${FOUND}`);
    await settle();
    expect(under.requestLines()).toEqual([[`/requests/${FOUND}`, 200]]);
    await api!.close();
    const over = await start(0.5, 0.5);
    await fetch(`${over.url}/requests/${FOUND}`);
    await settle();
    expect(over.requestLines()).toEqual([]);
  });

  it("request log: a request the client abandons is always logged, with no status", async () => {
    const { url, requestLines } = await start(0);
    const abandon = new AbortController();
    const pending = fetch(`${url}/requests/${HANGS}`, { signal: abandon.signal }).catch(() => undefined);
    await settle();
    abandon.abort();
    await pending;
    await vi.waitFor(() => expect(requestLines()).toEqual([[`/requests/${HANGS}`, null]]), { timeout: 5_000 });
  });
});

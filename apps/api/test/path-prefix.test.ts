import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadApiConfig } from "../src/config.js";
import type { RequestsReader } from "../src/requests-table.js";
import { type RunningApi, startApi } from "./helpers.js";

/**
 * With a VPC Link v2 (the stack's `private_integration: "alb"`), API Gateway sends the stage name in front of the
 * integration's path (AWS: "Private integrations for REST APIs", considerations), so the ALB forwards
 * `/v1/requests/<id>`. PATH_PREFIX serves the routes there too; the ALB's own health checks still call `/health`.
 */
const STORED = randomUUID();
const requests: RequestsReader = {
  getRequestJson: (id) =>
    Promise.resolve(id === STORED ? JSON.stringify({ requestId: STORED, status: "processed" }) : undefined),
  ping: () => Promise.resolve(),
};

describe("api: PATH_PREFIX", () => {
  let api: RunningApi;
  let plain: RunningApi;
  beforeAll(async () => {
    api = await startApi({ requests, pathPrefix: "/v1" });
    plain = await startApi({ requests });
  });
  afterAll(async () => {
    await api?.close();
    await plain?.close();
  });

  it("api: with PATH_PREFIX=/v1, /v1/requests/<id> and /v1/health are served, and the root routes still are", async () => {
    for (const path of [`/v1/requests/${STORED}`, `/requests/${STORED}`]) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.json()).toMatchObject({ requestId: STORED });
    }
    expect((await fetch(`${api.url}/v1/health`)).status).toBe(200);
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    expect((await fetch(`${api.url}/v1/requests/${randomUUID()}`)).status).toBe(404);
  });

  it("api: other prefixes, a doubled prefix and a prefix without PATH_PREFIX are unknown routes (404 JSON)", async () => {
    for (const [server, path] of [
      [api, `/v2/requests/${STORED}`],
      [api, `/v1/v1/requests/${STORED}`],
      [api, `/V1/requests/${STORED}`],
      [plain, `/v1/requests/${STORED}`],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toMatch(/^application\/json/);
    }
  });

  it("config: PATH_PREFIX is read as the path prefix; unset means none", () => {
    const minimal = { TABLE_NAME: "requests-prod", AWS_REGION: "eu-west-1" };
    expect(loadApiConfig({ ...minimal, PATH_PREFIX: "/v1" }).pathPrefix).toBe("/v1");
    expect(loadApiConfig(minimal).pathPrefix).toBeUndefined();
  });
});

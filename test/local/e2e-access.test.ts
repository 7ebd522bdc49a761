import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { serviceNodePath } from "../../kit/image-node.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import { sharedEmulators } from "../support/shared-emulators.js";
import { exampleConfig, synthApp } from "../support/synth.js";
import { waitFor } from "../support/wait-for.js";
import { POOL_ARN } from "./contract-synth.js";
import { sigv4Headers, signedFetch } from "./sigv4-client.js";
import { uniqueProject } from "./support.js";

/**
 * Each authorization mode end to end under `npm run local` (synth of the real stack -> services -> gateways): the
 * credential passes, a bad one fails, a principal the policy does not name is refused, a client over its rate gets
 * 429 while another is not, and one client cannot read another's result (the api answers 404).
 * The config's `authorization` key comes with the stack's modes: until the schema knows it, these tests are skipped.
 */
const schemaKnowsAuthorization = (() => {
  try {
    exampleConfig({ authorization: { ingest: "api_key", query: "api_key", api_key_only_reason: "schema probe" } });
    return true;
  } catch (error) {
    if (/authorization: unknown key/.test((error as Error).message)) return false;
    throw error;
  }
})();

const ROLES = ["arn:aws:iam::000000000000:role/alpha", "arn:aws:iam::000000000000:role/beta"];
const CLIENTS = [
  { name: "alpha", rate_limit: 50, burst_limit: 100, apis: ["ingest", "query"] },
  { name: "beta", rate_limit: 50, burst_limit: 100, apis: ["ingest", "query"] },
  { name: "slow", rate_limit: 1, burst_limit: 1, apis: ["ingest"] },
];
type Send = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

async function startMode(mode: "iam" | "cognito" | "api_key", prefix: string): Promise<LocalStack> {
  const doc = synthApp({
    project: uniqueProject(prefix),
    clients: CLIENTS,
    authorization: {
      ingest: mode,
      query: mode,
      iam_principals: ROLES,
      cognito_user_pool_arns: [POOL_ARN],
      api_key_only_reason: mode === "api_key" ? "local e2e tests of the api_key mode" : null,
    },
    services: { api: { image_tag: "0.1.0" }, processor: { image_tag: "0.1.0", max_batch_seconds: 5 } },
  }).main;
  return startLocalStack({
    synth: doc,
    emulators: sharedEmulators(),
    node: serviceNodePath(inject("imageNode")),
    logLevel: "warn",
  });
}

const keyOf = (stack: LocalStack, client: string) => stack.apiKeys.find((k) => k.name.endsWith(`-${client}`))!.value;

/** POSTs as `writer`, waits until `writer` reads the item, then returns what `reader` gets for it. */
async function readAcross(stack: LocalStack, writer: Send, reader: Send): Promise<number> {
  const json = { "content-type": "application/json" };
  const accepted = await writer(`${stack.ingestUrl}/requests`, { method: "POST", headers: json, body: '{"n":1}' });
  expect(accepted.status).toBe(202);
  const { requestId } = (await accepted.json()) as { requestId: string };
  const url = `${stack.queryUrl}/requests/${requestId}`;
  await waitFor(
    `${url} to return 200 to its writer`,
    async () => ((await writer(url, {})).status === 200 ? true : undefined),
    {
      timeoutMs: 10_000,
      intervalMs: 100,
    },
  );
  return (await reader(url, {})).status;
}

/** Statuses of `count` POSTs sent one after the other. */
async function burst(stack: LocalStack, send: Send, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push(
      (
        await send(`${stack.ingestUrl}/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
      ).status,
    );
  return statuses;
}

describe.skipIf(!schemaKnowsAuthorization)("local stack: iam mode", () => {
  let stack: LocalStack;
  beforeAll(async () => (stack = await startMode("iam", "ei")));
  afterAll(async () => stack?.stop());

  const as =
    (arn: string, client: string, date?: Date): Send =>
    (url, init) => {
      const principal = stack.access.principals.find((p) => p.arn === arn)!;
      const headers = { ...init.headers, "x-api-key": keyOf(stack, client) };
      return signedFetch(principal, stack.region, url, { ...init, headers }, date);
    };
  const unnamed = () => stack.access.principals.find((p) => !p.named)!.arn;

  test("a signed request passes; the other named principal cannot read its result", async () => {
    expect(await readAcross(stack, as(ROLES[0]!, "alpha"), as(ROLES[1]!, "beta"))).toBe(404);
  });

  test("tampered, expired and unnamed-principal requests are refused with 403", async () => {
    const url = `${stack.ingestUrl}/requests`;
    const principal = stack.access.principals.find((p) => p.arn === ROLES[0])!;
    const signed = await sigv4Headers(principal, stack.region, { method: "POST", url, body: '{"n":1}' });
    delete signed.host;
    const headers = { ...signed, "x-api-key": keyOf(stack, "alpha") };
    const tampered = await fetch(url, { method: "POST", headers, body: '{"n":2}' });
    expect(tampered.status).toBe(403);
    const expired = await as(
      ROLES[0]!,
      "alpha",
      new Date(Date.now() - 10 * 60_000),
    )(url, { method: "POST", body: "{}" });
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("Signature expired");
    const refused = await as(unnamed(), "alpha")(url, { method: "POST", body: "{}" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("explicit deny");
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    expect(await burst(stack, as(ROLES[0]!, "slow"), 5)).toContain(429);
    expect((await burst(stack, as(ROLES[0]!, "alpha"), 1))[0]).toBe(202);
  });
});

describe.skipIf(!schemaKnowsAuthorization)("local stack: cognito mode", () => {
  let stack: LocalStack;
  beforeAll(async () => (stack = await startMode("cognito", "ec")));
  afterAll(async () => stack?.stop());

  const as =
    (client: string, issuedAt?: number): Send =>
    async (url, init) => {
      const app = stack.access.cognito!.clients.find((c) => c.name.endsWith(`-${client}`))!;
      const token = await stack.access.cognito!.issue(app.clientId, app.clientSecret, undefined, issuedAt);
      if ("error" in token) throw new Error(token.error);
      const headers = { ...init.headers, authorization: token.accessToken, "x-api-key": keyOf(stack, client) };
      return fetch(url, { ...init, headers });
    };

  test("a token passes; another client cannot read the result", async () => {
    expect(await readAcross(stack, as("alpha"), as("beta"))).toBe(404);
  });

  test("an expired token and no token get 401", async () => {
    const url = `${stack.ingestUrl}/requests`;
    expect((await as("alpha", Math.floor(Date.now() / 1000) - 7200)(url, { method: "POST", body: "{}" })).status).toBe(
      401,
    );
    const bare = await fetch(url, { method: "POST", body: "{}", headers: { "x-api-key": keyOf(stack, "alpha") } });
    expect(bare.status).toBe(401);
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    expect(await burst(stack, as("slow"), 5)).toContain(429);
    expect((await burst(stack, as("alpha"), 1))[0]).toBe(202);
  });
});

describe.skipIf(!schemaKnowsAuthorization)("local stack: api_key mode", () => {
  let stack: LocalStack;
  beforeAll(async () => (stack = await startMode("api_key", "ek")));
  afterAll(async () => stack?.stop());

  const as =
    (client: string): Send =>
    (url, init) =>
      fetch(url, { ...init, headers: { ...init.headers, "x-api-key": keyOf(stack, client) } });

  test("one client's key cannot read another client's result", async () => {
    expect(await readAcross(stack, as("alpha"), as("beta"))).toBe(404);
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    expect(await burst(stack, as("slow"), 5)).toContain(429);
    expect((await burst(stack, as("alpha"), 1))[0]).toBe(202);
  });
});

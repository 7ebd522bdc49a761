import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { serviceNodePath } from "../../kit/image-node.js";
import { sigv4Headers } from "../../kit/sigv4-client.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import { sharedEmulators } from "../support/shared-emulators.js";
import { synthApp } from "../support/synth.js";
import { waitFor } from "../support/wait-for.js";
import { POOL_ARN, SCOPES, signedAs, uniqueProject, type Send } from "./support.js";

/**
 * Each authorization mode end to end under `npm run local` (synth of the real stack -> services -> gateways): the
 * credential passes, a bad one fails, a caller the API does not admit is refused, a client over its rate gets 429
 * while another is not, and one client cannot read another's result (the api answers 404).
 */
const ROLES = ["arn:aws:iam::000000000000:role/alpha", "arn:aws:iam::000000000000:role/beta"];
const CLIENTS = [
  { name: "alpha", rate_limit: 50, burst_limit: 100, apis: ["ingest", "query"] },
  { name: "beta", rate_limit: 50, burst_limit: 100, apis: ["ingest", "query"] },
  { name: "slow", rate_limit: 1, burst_limit: 1, apis: ["ingest"] },
];
type Mode = "iam" | "cognito" | "api_key";

/** The `authorization` config of `mode` on both APIs, with what that mode needs and nothing else. */
const AUTHORIZATION: Record<Mode, Record<string, unknown>> = {
  iam: { ingest: "iam", query: "iam", iam_principals: ROLES },
  cognito: { ingest: "cognito", query: "cognito", cognito_user_pool_arns: [POOL_ARN] },
  api_key: { ingest: "api_key", query: "api_key", api_key_only_reason: "local e2e tests of the api_key mode" },
};

async function startMode(mode: Mode, prefix: string): Promise<LocalStack> {
  const doc = synthApp({
    project: uniqueProject(prefix),
    clients: CLIENTS,
    authorization: AUTHORIZATION[mode],
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
const json = { "content-type": "application/json" };

/** POSTs as `writer`, waits until `writer` reads the item, then returns what `reader` gets for it. */
async function readAcross(stack: LocalStack, writer: Send, reader: Send): Promise<number> {
  const accepted = await writer(`${stack.ingestUrl}/requests`, { method: "POST", headers: json, body: '{"n":1}' });
  expect(accepted.status).toBe(202);
  const { requestId } = (await accepted.json()) as { requestId: string };
  const url = `${stack.queryUrl}/requests/${requestId}`;
  await waitFor(
    `${url} to return 200 to its writer`,
    async () => ((await writer(url)).status === 200 ? true : undefined),
    {
      timeoutMs: 10_000,
      intervalMs: 100,
    },
  );
  return (await reader(url)).status;
}

/** Statuses of `count` POSTs sent one after the other. */
async function burst(stack: LocalStack, send: Send, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++)
    statuses.push((await send(`${stack.ingestUrl}/requests`, { method: "POST", headers: json, body: "{}" })).status);
  return statuses;
}

describe("local stack: iam mode", () => {
  let stack: LocalStack;
  beforeAll(async () => (stack = await startMode("iam", "ei")));
  afterAll(async () => stack?.stop());

  const principal = (arn: string) => stack.access.principals.find((p) => p.arn === arn)!;
  const as = (arn: string, client: string): Send => signedAs(stack, keyOf(stack, client), principal(arn));

  test("a signed request passes; the other named principal cannot read its result", async () => {
    expect(await readAcross(stack, as(ROLES[0]!, "alpha"), as(ROLES[1]!, "beta"))).toBe(404);
  });

  test("tampered, expired and unnamed-principal requests are refused with 403", async () => {
    const url = `${stack.ingestUrl}/requests`;
    const sign = async (body: string, date?: Date) => {
      const headers = await sigv4Headers(principal(ROLES[0]!), stack.region, { method: "POST", url, body }, date);
      delete headers.host;
      return { ...headers, ...json, "x-api-key": keyOf(stack, "alpha") };
    };
    const tampered = await fetch(url, { method: "POST", headers: await sign('{"n":1}'), body: '{"n":2}' });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("signature we calculated does not match");
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    const expired = await fetch(url, { method: "POST", headers: await sign("{}", tenMinutesAgo), body: "{}" });
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("Signature expired");
    const unnamed = stack.access.principals.find((p) => !p.named)!;
    expect(unnamed.accountId).toBe(principal(ROLES[0]!).accountId);
    const refused = await signedAs(stack, keyOf(stack, "alpha"), unnamed)(url, { method: "POST", body: "{}" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("explicit deny");
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    expect(await burst(stack, as(ROLES[0]!, "slow"), 5)).toContain(429);
    expect(await burst(stack, as(ROLES[0]!, "alpha"), 1)).toEqual([202]);
  });
});

describe("local stack: cognito mode", () => {
  let stack: LocalStack;
  beforeAll(async () => (stack = await startMode("cognito", "ec")));
  afterAll(async () => stack?.stop());

  /** An access token of `client`'s app client, with the `scopes` asked for (all by default) issued at `issuedAt`. */
  const tokenOf = async (client: string, scopes?: string[], issuedAt?: number) => {
    const app = stack.access.cognito!.clients.find((c) => c.name.endsWith(`-${client}`))!;
    const token = await stack.access.cognito!.issue(app.clientId, app.clientSecret, scopes, issuedAt);
    if ("error" in token) throw new Error(token.error);
    return token.accessToken;
  };
  const withToken =
    (token: string, client: string): Send =>
    (url, init = {}) =>
      fetch(url, { ...init, headers: { ...init.headers, authorization: token, "x-api-key": keyOf(stack, client) } });
  const as =
    (client: string): Send =>
    async (url, init) =>
      withToken(await tokenOf(client), client)(url, init);
  const post = (send: Send) => send(`${stack.ingestUrl}/requests`, { method: "POST", headers: json, body: "{}" });

  test("a token passes; another client cannot read the result", async () => {
    expect(await readAcross(stack, as("alpha"), as("beta"))).toBe(404);
  });

  test("an expired, a tampered and a missing token get 401", async () => {
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 7200;
    expect((await post(withToken(await tokenOf("alpha", undefined, twoHoursAgo), "alpha"))).status).toBe(401);
    // Same signature, another subject: the payload no longer matches what the pool signed.
    const [header, payload, signature] = (await tokenOf("alpha")).split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url");
    expect((await post(withToken(`${header}.${forged}.${signature}`, "alpha"))).status).toBe(401);
    const bare = await post((url, init = {}) =>
      fetch(url, { ...init, headers: { ...init.headers, "x-api-key": keyOf(stack, "alpha") } }),
    );
    expect(bare.status).toBe(401);
  });

  test("a token without the method's scope is refused (401): the read scope cannot write", async () => {
    const readOnly = withToken(await tokenOf("alpha", [SCOPES.read]), "alpha");
    expect((await post(readOnly)).status).toBe(401);
    expect((await readOnly(`${stack.queryUrl}/requests/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    expect(await burst(stack, as("slow"), 5)).toContain(429);
    expect(await burst(stack, as("alpha"), 1)).toEqual([202]);
  });
});

describe("local stack: api_key mode", () => {
  let stack: LocalStack;
  beforeAll(async () => (stack = await startMode("api_key", "ek")));
  afterAll(async () => stack?.stop());

  const withKey =
    (key: string): Send =>
    (url, init = {}) =>
      fetch(url, { ...init, headers: { ...init.headers, "x-api-key": key } });
  const as = (client: string): Send => withKey(keyOf(stack, client));

  test("one client's key cannot read another client's result", async () => {
    expect(await readAcross(stack, as("alpha"), as("beta"))).toBe(404);
  });

  test("a wrong key and no key are refused with 403", async () => {
    expect(await burst(stack, withKey(`${keyOf(stack, "alpha")}x`), 1)).toEqual([403]);
    expect(await burst(stack, (url, init) => fetch(url, init), 1)).toEqual([403]);
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    expect(await burst(stack, as("slow"), 5)).toContain(429);
    expect(await burst(stack, as("alpha"), 1)).toEqual([202]);
  });
});

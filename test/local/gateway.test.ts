import { createServer } from "node:http";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayIntegrationResponse } from "@cdktf/provider-aws/lib/api-gateway-integration-response";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { ACCESS_LOG_FORMAT } from "../../stacks/apis/rest-api-stage.js";
import { synthApp } from "../support/synth.js";
import { KEY_ONLY_AUTHORIZATION, signedAs, startGatewaysOnly, uniqueProject, type GatewaysOnly } from "./support.js";
import { listenOnLoopback, type Listening } from "../support/loopback-server.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The local gateways interpret the synth, so what the client sees follows the stack code: these tests change a
 * template or gateway response in the stack (cdktf `addOverride`, as test/infra does) and check the client sees
 * the change. No services here: the query API's VPC link points at a stub, the ingest API at the shared fauxqs.
 * These tests are about templates, API keys and validation, so their synths use the `api_key` mode (the key is the
 * only credential); test/local/gateway-access.test.ts covers the other modes.
 */
const sqsEndpoint = inject("sqsEndpoint");

function find<T>(main: IConstruct, type: abstract new (...args: never[]) => T, pathEnd: string): T {
  const found = main.node.findAll().filter((c) => c instanceof type && c.node.path.endsWith(pathEnd));
  if (found.length !== 1) throw new Error(`expected one ${type.name} at */${pathEnd}, found ${found.length}`);
  return found[0] as T;
}

async function receiveOne(gateways: GatewaysOnly): Promise<string> {
  const queue = gateways.queues.find((q) => !q.name.endsWith("-dlq"))!;
  const { Messages } = await gateways.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }),
  );
  if (!Messages?.[0]) throw new Error("no message reached the queue within 5 s");
  return Messages[0].Body!;
}

/** The example config in the `api_key` mode, with `changes` over it and a project name of its own. */
const keyOnly = (changes: Record<string, unknown> = {}) => ({
  project: uniqueProject("gw"),
  ...KEY_ONLY_AUTHORIZATION,
  ...changes,
});

const post = (gateways: GatewaysOnly, body: string, headers: Record<string, string> = {}) =>
  fetch(`${gateways.ingest.url}/requests`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": gateways.apiKey, ...headers },
    body,
  });

describe("local gateway: driven by the synthesized stack", () => {
  let stubListening: Listening | undefined;
  let stubOrigin: string;
  const seen: { url: string; headers: Record<string, unknown> }[] = [];
  let standard: GatewaysOnly;
  const accessLines: { api: string; line: string }[] = [];

  beforeAll(async () => {
    const stub = createServer((req, res) => {
      seen.push({ url: req.url!, headers: req.headers });
      res.writeHead(404, { "content-type": "application/json", "x-backend": "stub" }).end('{"error":"not_found"}');
    });
    stubListening = await listenOnLoopback(stub);
    stubOrigin = stubListening.url;
    standard = await startGatewaysOnly(synthApp(keyOnly()).main, {
      sqsEndpoint,
      vpcLinkOrigin: stubOrigin,
      accessLog: (api, line) => accessLines.push({ api, line }),
    });
  });
  afterAll(async () => {
    await standard?.close();
    await stubListening?.close();
  });

  test("ingest: POST /requests puts the raw body on the queue and answers 202 with the SQS MessageId", async () => {
    const response = await post(standard, '{"order": 7, "note": "a b&c=d"}');
    expect(response.status).toBe(202);
    const { requestId } = (await response.json()) as { requestId: string };
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await receiveOne(standard)).toBe('{"order": 7, "note": "a b&c=d"}');
  });

  test("gateway: each request writes one access-log line in the stage's synthesized format", async () => {
    const response = await post(standard, '{"logged":true}');
    const requestId = response.headers.get("x-amzn-requestid");
    await waitFor("the access-log line", () => accessLines.find((l) => l.line.includes(requestId!)), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const entry = JSON.parse(accessLines.find((l) => l.line.includes(requestId!))!.line) as Record<string, string>;
    expect(Object.keys(entry)).toEqual(Object.keys(JSON.parse(ACCESS_LOG_FORMAT)));
    expect(entry).toMatchObject({
      requestId,
      path: "/v1/requests",
      status: "202",
      integrationStatus: "200",
    });
  });

  test("ingest: a content type without a template is refused with 415 (passthrough NEVER), nothing is queued", async () => {
    const response = await post(standard, "{}", { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      error: "client_error",
      message: "Unsupported Media Type: send content-type application/json (got text/plain)",
    });
  });

  test("ingest: a wrong API key gets 403 rendered from the synth's DEFAULT_4XX response", async () => {
    const response = await post(standard, "{}", { "x-api-key": "wrong" });
    expect(response.status).toBe(403);
    const body = (await response.json()) as Record<string, string>;
    expect(body).toEqual({
      error: "client_error",
      message: "Forbidden: the x-api-key header does not hold this API's key (npm run local prints it)",
      requestId: response.headers.get("x-amzn-requestid"),
    });
  });

  test("gateway: a request without the API key gets a 403 naming the missing x-api-key header", async () => {
    const response = await fetch(`${standard.ingest.url}/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      message: "Forbidden: missing the x-api-key header (npm run local prints the key)",
    });
  });

  test("gateway: the access log of an error has errorMessage filled, as API Gateway fills $context.error.message", async () => {
    const response = await post(standard, "{}", { "content-type": "text/plain" });
    const requestId = response.headers.get("x-amzn-requestid")!;
    const line = await waitFor("the access-log line", () => accessLines.find((l) => l.line.includes(requestId)), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect(JSON.parse(line.line)).toMatchObject({
      requestId,
      status: "415",
      errorMessage: "Unsupported Media Type: send content-type application/json (got text/plain)",
    });
  });

  test("gateway: an unknown path or method is 403 Missing Authentication Token, an unknown stage 403 Forbidden", async () => {
    const unknown = await fetch(`${standard.ingest.url}/nothing`, { headers: { "x-api-key": standard.apiKey } });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ message: "Missing Authentication Token" });
    const wrongMethod = await fetch(`${standard.ingest.url}/requests`, { headers: { "x-api-key": standard.apiKey } });
    expect(wrongMethod.status).toBe(403);
    const wrongStage = await fetch(standard.ingest.url.replace(/\/v1$/, "/prod/requests"), { method: "POST" });
    expect(await wrongStage.json()).toEqual({ message: "Forbidden" });
  });

  test("query: GET /requests/{id} is proxied to the VPC link's service at the URI's path, status/headers/body passed through", async () => {
    const response = await fetch(`${standard.query.url}/requests/abc-123?x=1`, {
      headers: { "x-api-key": standard.apiKey },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-backend")).toBe("stub");
    expect(await response.json()).toEqual({ error: "not_found" });
    expect(seen.at(-1)?.url).toBe("/requests/abc-123?x=1");
  });

  test("query (private_integration alb): the VPC Link v2 integration reaches the service under the stage name, then the URI's path", async () => {
    const alb = await startGatewaysOnly(synthApp(keyOnly({ private_integration: "alb" })).main, {
      sqsEndpoint,
      vpcLinkOrigin: stubOrigin,
      createQueues: false,
    });
    try {
      const response = await fetch(`${alb.query.url}/requests/abc-456?y=2`, { headers: { "x-api-key": alb.apiKey } });
      expect(response.headers.get("x-backend")).toBe("stub");
      // AWS documents that private integrations over a VPC Link v2 put the stage name before the URI's path.
      expect(seen.at(-1)?.url).toBe("/v1/requests/abc-456?y=2");
      expect(alb.query.url).toMatch(/\/v1$/);
    } finally {
      await alb.close();
    }
  });

  test("ingest: a JSON object over the queue's 256 KiB limit passes the model, and SQS's 400 maps to the synth's 400", async () => {
    // The stack leaves max_message_size unset: Terraform's provider default (256 KiB) applies, as in AWS.
    const response = await post(standard, JSON.stringify({ blob: "x".repeat(300 * 1024) }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "rejected" });
  });

  test("ingest: SQS errors never become a 200: an unknown queue (SQS 400) maps to the synth's 400 response", async () => {
    const noQueues = await startGatewaysOnly(synthApp(keyOnly()).main, {
      sqsEndpoint,
      createQueues: false,
    });
    try {
      const response = await post(noQueues, "{}");
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: "rejected",
        requestId: response.headers.get("x-amzn-requestid"),
      });
    } finally {
      await noQueues.close();
    }
  });

  test("ingest: changing the request and response templates in the stack changes what reaches SQS and the client", async () => {
    const doc = synthApp(keyOnly(), ({ main }) => {
      find(main, ApiGatewayIntegration, "ingest-api/send-message").addOverride("request_templates", {
        "application/json":
          "Action=SendMessage&MessageBody=$util.urlEncode('{\"wrapped\":')$util.urlEncode($input.body)$util.urlEncode('}')",
      });
      find(main, ApiGatewayIntegrationResponse, "ingest-api/integration-response-202").addOverride(
        "response_templates",
        {
          "application/json": `{"id":"$input.path('$.SendMessageResponse.SendMessageResult.MessageId')","via":"override"}`,
        },
      );
    }).main;
    const changed = await startGatewaysOnly(doc, { sqsEndpoint });
    try {
      const response = await post(changed, '{"a":1}');
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), via: "override" });
      expect(await receiveOne(changed)).toBe('{"wrapped":{"a":1}}');
    } finally {
      await changed.close();
    }
  });

  test("gateway: with api_key_required false in the var file, no key is needed on either API (iam: signed alone)", async () => {
    const open = await startGatewaysOnly(
      synthApp({ project: uniqueProject("gw"), api_key_required: false, clients: null }).main,
      { sqsEndpoint, vpcLinkOrigin: stubOrigin, access: true },
    );
    try {
      expect(open.ingest.api.apiKeys).toEqual([]);
      const send = signedAs(open, undefined);
      const ingest = await send(`${open.ingest.url}/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(ingest.status).toBe(202);
      const query = await send(`${open.query.url}/requests/x`);
      expect(query.status).toBe(404);
      expect(query.headers.get("x-backend")).toBe("stub");
    } finally {
      await open.close();
    }
  });

  test("gateway: changing the BAD_REQUEST_BODY gateway response in the stack changes the 400 the client gets", async () => {
    const doc = synthApp(keyOnly(), ({ main }) => {
      find(main, ApiGatewayGatewayResponse, "ingest-api/response-bad_request_body").addOverride("status_code", "422");
      find(main, ApiGatewayGatewayResponse, "ingest-api/response-bad_request_body").addOverride("response_templates", {
        "application/json": '{"problem":"$context.error.validationErrorString"}',
      });
    }).main;
    const changed = await startGatewaysOnly(doc, { sqsEndpoint, createQueues: false });
    try {
      const response = await post(changed, "[]");
      expect(response.status).toBe(422);
      // Unescaped, as API Gateway substitutes it (which is why the stack's own template does not use it).
      expect(await response.text()).toBe(
        '{"problem":"[instance type (array) does not match any allowed primitive type (allowed: ["object"])]"}',
      );
    } finally {
      await changed.close();
    }
  });
});

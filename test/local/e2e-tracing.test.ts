import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { serviceNodePath } from "../../kit/image-node.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import type { ReceivedSpan } from "../../local/tracing/spans.js";
import { sharedEmulators } from "../support/shared-emulators.js";
import { synthApp } from "../support/synth.js";
import { waitFor } from "../support/wait-for.js";
import { signedAs, uniqueProject, type Send } from "./support.js";

/**
 * Traces under `npm run local`: the local gateway's X-Amzn-Trace-Id, the services' spans in the local OTLP receiver,
 * in the right parent order. The POST's trace crosses SQS in the `trace` message attribute (the local SQS emulator
 * has no AWSTraceHeader).
 */
let stack: LocalStack;
/** Signed as the local principal the resource policy names, with the client's key (the example's iam mode). */
let client: Send;

beforeAll(async () => {
  const doc = synthApp({
    project: uniqueProject("trace"),
    services: { api: { image_tag: "0.1.0" }, processor: { image_tag: "0.1.0" } },
  }).main;
  stack = await startLocalStack({
    synth: doc,
    emulators: sharedEmulators(),
    node: serviceNodePath(inject("imageNode")),
  });
  client = signedAs(stack, stack.apiKey);
});

afterAll(async () => {
  await stack?.stop();
});

/** A trace header as a client (or an upstream X-Ray-traced caller) sends it; the gateway continues its Root. */
function clientTrace(): { header: string; otelTraceId: string } {
  const seconds = Math.floor(Date.now() / 1000).toString(16);
  const unique = randomBytes(12).toString("hex");
  return { header: `Root=1-${seconds}-${unique}`, otelTraceId: `${seconds}${unique}` };
}

const headers = (trace: string, extra: Record<string, string> = {}) => ({ "x-amzn-trace-id": trace, ...extra });

const spansOf = (traceId: string) => stack.traces.spans().filter((s) => s.traceId === traceId);
const named = (spans: readonly ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);

describe("local stack: traces", () => {
  test("local: one POST is one trace: the gateway's trace id, the processor's message span, its PutItem and its delete as children", async () => {
    const trace = clientTrace();
    const accepted = await client(`${stack.ingestUrl}/requests`, {
      method: "POST",
      headers: headers(trace.header, { "content-type": "application/json" }),
      body: '{"traced":true}',
    });
    expect(accepted.status).toBe(202);
    const { requestId } = (await accepted.json()) as { requestId: string };

    const spans: readonly ReceivedSpan[] = await waitFor(
      `the processor's spans of ${requestId} in the local receiver`,
      () => {
        const found = spansOf(trace.otelTraceId);
        return named(found, "SQS.DeleteMessageBatch").length > 0 ? found : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    const [message] = named(spans, "process message");
    expect(message).toMatchObject({
      service: "processor",
      parentSpanId: undefined,
      attributes: expect.objectContaining({ "app.request_id": requestId, "app.message.outcome": "created" }),
    });
    const [put] = named(spans, "DynamoDB.PutItem");
    const [remove] = named(spans, "SQS.DeleteMessageBatch");
    expect(put).toMatchObject({ parentSpanId: message!.spanId, service: "processor" });
    expect(remove).toMatchObject({ parentSpanId: message!.spanId, service: "processor" });

    const waterfall = await fetch(`${stack.traces.url}/traces/${requestId}`);
    expect(waterfall.status).toBe(200);
    const text = await waterfall.text();
    expect(text).toContain(`trace 1-${trace.otelTraceId.slice(0, 8)}-${trace.otelTraceId.slice(8)}`);
    expect(text).toMatch(/processor: process message[\s\S]*\n\s+processor: DynamoDB\.PutItem/);
  });

  test("local: one GET is one trace: the api's server span under the gateway's segment, with its GetItem as a child", async () => {
    const post = await client(`${stack.ingestUrl}/requests`, {
      method: "POST",
      headers: headers(clientTrace().header, { "content-type": "application/json" }),
      body: "{}",
    });
    const { requestId } = (await post.json()) as { requestId: string };
    const trace = clientTrace();
    await waitFor(`GET ${requestId} to return 200`, async () => {
      const response = await client(`${stack.queryUrl}/requests/${requestId}`, { headers: headers(trace.header) });
      return response.status === 200;
    });

    const spans = await waitFor(`the api's spans in trace ${trace.otelTraceId}`, () => {
      const found = spansOf(trace.otelTraceId).filter((s) => s.attributes["http.response.status_code"] === 200);
      return found.length > 0 ? found : undefined;
    });
    const [server] = spans;
    expect(server).toMatchObject({
      service: "api",
      name: "GET /requests{/:requestId}",
      attributes: expect.objectContaining({ "app.request_id": requestId }),
    });
    // The parent is the gateway's own segment, named by the Parent of the header it sent on.
    expect(server!.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    const reads = spansOf(trace.otelTraceId).filter((s) => s.parentSpanId === server!.spanId);
    expect(reads.map((s) => s.name)).toContain("DynamoDB.GetItem");
    expect(reads.find((s) => s.attributes["app.item_found"] === true)).toBeDefined();
  });
});

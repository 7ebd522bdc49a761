import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { z } from "zod";
import { DEFAULT_TRACES_ENDPOINT, TRACING_ENV, tracingConfig } from "../src/tracing-config.js";
import { TraceJoiningIdGenerator, firstOrigin, traceOrigin, xrayTraceId } from "../src/tracing-context.js";
import { inMessageSpan, inMessagesSpans, messageTraceId, startMessageSpans } from "../src/tracing-messages.js";
import {
  dynamoSpanAttributes,
  inChildSpan,
  markFailed,
  setLogRequestId,
  tagRequestId,
  traceLogFields,
  traceRequests,
} from "../src/tracing-spans.js";
import { startChildSpan, startSpanFrom, startTracing, tracingEnabled } from "../src/tracing.js";
import { startTraceReceiver } from "../../../local/tracing/receiver.js";

const TRACE = "5759e988bd862e3fe1be46a994272793";
const PARENT = "53995c3f42cd8ad8";
const header = (sampled: 0 | 1) => `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${PARENT};Sampled=${sampled}`;

/** Keeps what the SDK exports (a sink, as the collector is to the services). */
function sink() {
  const spans: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export: (batch, done) => {
      spans.push(...batch);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
  return { spans, exporter };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** Starts tracing at `sampleRate`; `flush()` ends it and returns every span exported. */
function traced(sampleRate: number) {
  const { spans, exporter } = sink();
  const tracing = startTracing({
    service: "test",
    config: { sampleRate, endpoint: DEFAULT_TRACES_ENDPOINT },
    exporter,
  });
  stop = () => tracing.shutdown();
  return {
    flush: async () => {
      await tracing.shutdown();
      stop = undefined;
      return spans;
    },
  };
}

async function serve(listener: RequestListener, headers: Record<string, string> = {}, path = "/requests/r1?x=1") {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    await response.text();
    return response.status;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const byName = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe("tracing config", () => {
  const parse = (env: Record<string, string>) => tracingConfig(z.object(TRACING_ENV).parse(env));

  it("tracing: TRACE_SAMPLE_RATE from 0 to 1, unset or blank = off; the endpoint defaults to the task's loopback", () => {
    expect(parse({})).toEqual({ sampleRate: 0, endpoint: "http://127.0.0.1:4318/v1/traces" });
    expect(parse({ TRACE_SAMPLE_RATE: "" }).sampleRate).toBe(0);
    expect(["0", "0.05", "1", "1.0"].map((r) => parse({ TRACE_SAMPLE_RATE: r }).sampleRate)).toEqual([0, 0.05, 1, 1]);
    for (const bad of ["1.5", "-0.1", "5%", "01", "2"])
      expect(() => parse({ TRACE_SAMPLE_RATE: bad }), bad).toThrow(/from 0 \(tracing off\) to 1/);
    expect(parse({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }).endpoint).toBe(
      "http://collector:4318/v1/traces",
    );
  });
});

describe("trace context", () => {
  // The X-Ray propagator is installed by startTracing, as each service does before it serves.
  it("tracing: a header with a parent and a decision continues that trace; a Root alone names the trace", () => {
    traced(1);
    const parent = traceOrigin(header(1));
    expect(parent.kind).toBe("parent");
    const context = parent.kind === "parent" ? trace.getSpanContext(parent.context) : undefined;
    expect(context).toMatchObject({ traceId: TRACE, spanId: PARENT, traceFlags: 1 });
    expect(traceOrigin("Root=1-5759E988-BD862E3FE1BE46A994272793")).toEqual({ kind: "trace", traceId: TRACE });
    expect(traceOrigin("Self=1-67891233-abcdef012345678912345678;Root=1-5759e988-bd862e3fe1be46a994272793")).toEqual({
      kind: "trace",
      traceId: TRACE,
    });
    for (const none of [undefined, "", "Root=1-5759e988", "Root=2-5759e988-bd862e3fe1be46a994272793", "garbage"])
      expect(traceOrigin(none), String(none)).toEqual({ kind: "new" });
    expect(traceOrigin("Root=1-5759e988-bd862e3fe1be46a994272793x")).toEqual({ kind: "new" });
    expect(traceOrigin("Self=1-67891233-abcdef012345678912345678; Root=1-5759e988-bd862e3fe1be46a994272793 ")).toEqual({
      kind: "trace",
      traceId: TRACE,
    });
  });

  it("tracing: of several headers, the first with a parent wins, else the first naming a trace", () => {
    traced(1);
    const root = "Root=1-5759e988-bd862e3fe1be46a994272793";
    const other = "Root=1-11111111-222222222222222222222222";
    expect(firstOrigin([undefined, root, header(1)]).kind).toBe("parent");
    expect(firstOrigin([root, other])).toEqual({ kind: "trace", traceId: TRACE });
    expect(firstOrigin([undefined, "bad", other])).toEqual({
      kind: "trace",
      traceId: "11111111222222222222222222222222",
    });
    expect(firstOrigin([])).toEqual({ kind: "new" });
  });

  it("tracing: X-Ray ids, and the id generator joins a named trace once, then makes X-Ray ids again", () => {
    expect(xrayTraceId(TRACE)).toBe("1-5759e988-bd862e3fe1be46a994272793");
    const ids = new TraceJoiningIdGenerator();
    ids.nextTraceId(TRACE);
    expect(ids.generateTraceId()).toBe(TRACE);
    const fresh = ids.generateTraceId();
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(TRACE);
    // X-Ray's ids start with the epoch seconds.
    expect(Math.abs(parseInt(fresh.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(600);
    expect(ids.generateSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });

  it("tracing: a joined trace id that no start asked for is dropped, not given to the next root span", () => {
    const ids = new TraceJoiningIdGenerator();
    ids.nextTraceId(TRACE);
    ids.clearNextTraceId();
    expect(ids.generateTraceId()).not.toBe(TRACE);
  });

  it("tracing: a header with Root and Sampled but no Parent is read as the trace id alone (its decision is lost)", () => {
    expect(traceOrigin("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")).toEqual({
      kind: "trace",
      traceId: TRACE,
    });
  });
});

describe("tracing off", () => {
  it("tracing: rate 0 starts nothing; every helper calls straight through", async () => {
    const tracing = startTracing({ service: "t", config: { sampleRate: 0, endpoint: DEFAULT_TRACES_ENDPOINT } });
    expect(tracingEnabled()).toBe(false);
    const listener: RequestListener = (_req, res) => res.end();
    expect(traceRequests(listener)).toBe(listener);
    expect(await inChildSpan("x", {}, (span) => Promise.resolve(span))).toBeUndefined();
    // Attributes given as a function are never built: tracing off costs no object per call.
    let built = 0;
    const lazy = () => ({ built: ++built });
    expect(await inChildSpan("x", lazy, (span) => Promise.resolve(span))).toBeUndefined();
    const batch = startMessageSpans([{ messageId: "m1", receiveCount: 1 }]);
    expect(await inMessageSpan("m1", "x", lazy, (span) => Promise.resolve(span))).toBeUndefined();
    expect(built).toBe(0);
    expect(messageTraceId("m1")).toBeUndefined();
    batch.outcome("m1", "invalid");
    batch.end();
    expect(traceLogFields()).toEqual({});
    await tracing.shutdown();
  });
});

describe("api spans", () => {
  it("tracing: a server span continues X-Amzn-Trace-Id, names the route, and parents the GetItem; logs carry both ids", async () => {
    const { flush } = traced(1);
    let logged: Record<string, string> = {};
    const status = await serve(
      traceRequests((req, res) => {
        setLogRequestId("x-req-1");
        tagRequestId("r1");
        (req as { route?: { path: string } }).route = { path: "/requests/:id" };
        (res as { locals?: { requestId: string } }).locals = { requestId: "x-req-1" };
        void inChildSpan("DynamoDB.GetItem", dynamoSpanAttributes("GetItem", "table", { extra: 1 }), () => {
          logged = traceLogFields();
          return Promise.resolve();
        }).then(() => res.end("{}"));
      }),
      { "x-amzn-trace-id": header(1) },
    );
    expect(status).toBe(200);
    const spans = await flush();
    const [server] = byName(spans, "GET /requests/:id");
    const [get] = byName(spans, "DynamoDB.GetItem");
    expect(server!.kind).toBe(SpanKind.SERVER);
    expect(server!.spanContext().traceId).toBe(TRACE);
    expect(server!.parentSpanContext?.spanId).toBe(PARENT);
    expect(server!.attributes).toMatchObject({
      "http.request.method": "GET",
      "url.path": "/requests/r1",
      "http.route": "/requests/:id",
      "app.request_id": "r1",
      "app.http_request_id": "x-req-1",
      "http.response.status_code": 200,
    });
    expect(server!.attributes["app.aborted"]).toBeUndefined();
    expect(server!.status.code).toBe(SpanStatusCode.UNSET);
    expect(get!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(get!.kind).toBe(SpanKind.CLIENT);
    expect(get!.attributes).toEqual({
      "rpc.system": "aws-api",
      "rpc.service": "DynamoDB",
      "rpc.method": "GetItem",
      "aws.dynamodb.table_names": ["table"],
      extra: 1,
    });
    // The api's own x-request-id was set first: tagRequestId does not replace it.
    expect(logged).toEqual({ traceId: xrayTraceId(TRACE), requestId: "x-req-1" });
  });

  it("tracing: a 5xx marks the server span; a failed call marks its span and rethrows; an unmatched route keeps the method", async () => {
    const { flush } = traced(1);
    const failure = new TypeError("boom");
    await serve(
      traceRequests((_req, res) => {
        tagRequestId("r2");
        void inChildSpan("call", {}, () => Promise.reject(failure))
          .catch((error: unknown) => expect(error).toBe(failure))
          .then(() => {
            expect(traceLogFields()).toEqual({ traceId: expect.stringMatching(/^1-/), requestId: "r2" });
            res.statusCode = 500;
            res.end();
          });
      }),
    );
    const spans = await flush();
    const [server] = byName(spans, "GET");
    expect(server!.status.code).toBe(SpanStatusCode.ERROR);
    expect(server!.attributes["http.response.status_code"]).toBe(500);
    expect(server!.attributes["app.http_request_id"]).toBeUndefined();
    expect(server!.attributes["http.route"]).toBeUndefined();
    expect(server!.parentSpanContext).toBeUndefined();
    const [call] = byName(spans, "call");
    expect(call!.status).toEqual({ code: SpanStatusCode.ERROR, message: "TypeError" });
    expect(call!.events.map((e) => e.name)).toEqual(["exception"]);
  });

  it("tracing: a request API Gateway did not sample records nothing, and its calls get no span", async () => {
    const { flush } = traced(1);
    let child: unknown = "not called";
    await serve(
      traceRequests((_req, res) => {
        void inChildSpan("DynamoDB.GetItem", {}, (span) => {
          child = span;
          return Promise.resolve();
        }).then(() => res.end());
      }),
      { "x-amzn-trace-id": header(0) },
    );
    expect(child).toBeUndefined();
    expect(await flush()).toEqual([]);
  });

  it("tracing: an aborted response is marked, with no status; a long path is cut to 256 characters", async () => {
    const { flush } = traced(1);
    const long = `/requests/${"a".repeat(300)}`;
    await serve(
      traceRequests((_req, res) => res.destroy()),
      {},
      long,
    ).catch(() => "aborted");
    const [server] = byName(await flush(), "GET");
    expect(server!.attributes["app.aborted"]).toBe(true);
    expect(server!.attributes["http.response.status_code"]).toBeUndefined();
    expect(server!.attributes["url.path"]).toBe(long.slice(0, 256));
  });

  it("tracing: outside a request the helpers have no span or log fields to touch, and call straight through", async () => {
    traced(1);
    expect(await inChildSpan("x", {}, (span) => Promise.resolve(span))).toBeUndefined();
    expect(() => tagRequestId("r")).not.toThrow();
    expect(() => setLogRequestId("r")).not.toThrow();
    expect(traceLogFields()).toStrictEqual({});
    expect(startSpanFrom({ kind: "new" }, "s", {})).toBeDefined();
    // A span made active without the api's log holder (the processor's case): its trace id, no request id.
    const span = trace.getTracer("t").startSpan("s");
    expect(context.with(trace.setSpan(context.active(), span), traceLogFields)).toStrictEqual({
      traceId: xrayTraceId(span.spanContext().traceId),
    });
    span.end();
  });

  it("tracing: the span helpers make nothing before tracing starts", () => {
    expect(startSpanFrom({ kind: "new" }, "s", {})).toBeUndefined();
    expect(startChildSpan("s", {})).toBeUndefined();
  });

  it("tracing: a request with no id set logs its trace id alone", async () => {
    const { flush } = traced(1);
    let logged: Record<string, string> = {};
    await serve(
      traceRequests((_req, res) => {
        logged = traceLogFields();
        res.end();
      }),
    );
    expect(logged).toStrictEqual({ traceId: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/) });
    const [server] = await flush();
    expect(server!.resource.attributes["service.name"]).toBe("test");
  });

  it("tracing: the sample rate decides traces that arrive undecided", async () => {
    const { flush } = traced(1e-6);
    startMessageSpans(Array.from({ length: 20 }, (_, i) => ({ messageId: `s${i}`, receiveCount: 1 }))).end();
    expect(await flush()).toEqual([]);
  });

  it("tracing: without an exporter given, spans go to the OTLP endpoint as OTLP/HTTP", async () => {
    const receiver = await startTraceReceiver();
    try {
      const tracing = startTracing({ service: "otlp", config: { sampleRate: 1, endpoint: receiver.tracesEndpoint } });
      startMessageSpans([{ messageId: "o1", receiveCount: 1 }]).end();
      await tracing.shutdown();
      expect(receiver.spans().map((s) => [s.service, s.name, s.attributes["messaging.message.id"]])).toEqual([
        ["otlp", "process message", "o1"],
      ]);
    } finally {
      await receiver.close();
    }
  });

  it("tracing: markFailed records a thrown non-Error as an Error status named Error", () => {
    traced(1);
    const span = trace.getTracer("t").startSpan("s");
    markFailed(span, "text");
    markFailed(undefined, "ignored");
    expect((span as unknown as ReadableSpan).status).toEqual({ code: SpanStatusCode.ERROR, message: "Error" });
    span.end();
  });
});

describe("processor spans", () => {
  it("tracing: one span per message in the trace it carries, with outcome, poison and retried marks and its calls as children", async () => {
    const { flush } = traced(1);
    const messages = [
      { messageId: "m1", receiveCount: 1, awsTraceHeader: header(1), traceAttribute: undefined },
      { messageId: "m2", receiveCount: 3, traceAttribute: "Root=1-11111111-222222222222222222222222" },
      { messageId: "m3", receiveCount: 1 },
    ];
    const batch = startMessageSpans(messages);
    // A second receive of m1 while its span is open keeps the first span.
    startMessageSpans([{ messageId: "m1", receiveCount: 2 }]).end();
    expect(messageTraceId("m1")).toBe(xrayTraceId(TRACE));
    const put = await inMessageSpan(
      "m1",
      "DynamoDB.PutItem",
      () => ({ a: 1 }),
      (span) => Promise.resolve(span),
    );
    expect(put).toBeDefined();
    expect(await inMessageSpan("unknown", "x", {}, (span) => Promise.resolve(span))).toBeUndefined();
    const result = await inMessagesSpans(
      ["m1", "m2", "m3", "unknown"],
      "SQS.DeleteMessageBatch",
      { b: 2 },
      () => Promise.resolve({ failed: ["m2"] }),
      (r) => r.failed,
    );
    expect(result).toEqual({ failed: ["m2"] });
    batch.outcome("m1", "created");
    batch.outcome("m2", "invalid");
    batch.outcome("m3", "failed");
    batch.outcome("gone", "failed");
    batch.end();
    expect(messageTraceId("m1")).toBeUndefined();
    const spans = await flush();
    const process = byName(spans, "process message");
    expect(process).toHaveLength(3);
    const span = (id: string) => process.find((s) => s.attributes["messaging.message.id"] === id)!;
    expect(span("m1").parentSpanContext?.spanId).toBe(PARENT);
    expect(span("m1").spanContext().traceId).toBe(TRACE);
    expect(span("m1").kind).toBe(SpanKind.CONSUMER);
    expect(span("m1").attributes).toEqual({
      "messaging.system": "aws_sqs",
      "messaging.operation.type": "process",
      "messaging.message.id": "m1",
      "app.request_id": "m1",
      "messaging.aws.sqs.receive_count": 1,
      "app.message.retried": false,
      "app.message.outcome": "created",
    });
    expect(span("m1").status.code).toBe(SpanStatusCode.UNSET);
    expect(span("m2").spanContext().traceId).toBe("11111111222222222222222222222222");
    expect(span("m2").parentSpanContext).toBeUndefined();
    expect(span("m2").attributes).toMatchObject({ "app.message.retried": true, "app.message.poison": true });
    expect(span("m2").status).toEqual({ code: SpanStatusCode.ERROR, message: "invalid" });
    expect(span("m3").attributes["app.message.poison"]).toBeUndefined();
    expect(span("m3").status).toEqual({ code: SpanStatusCode.ERROR, message: "failed" });
    const [write] = byName(spans, "DynamoDB.PutItem");
    expect(write!.parentSpanContext?.spanId).toBe(span("m1").spanContext().spanId);
    expect(write!.attributes).toEqual({ a: 1, "app.request_id": "m1" });
    const deletes = byName(spans, "SQS.DeleteMessageBatch");
    expect(deletes.map((d) => d.attributes["app.request_id"]).sort()).toEqual(["m1", "m2", "m3"]);
    for (const d of deletes) {
      expect(d.attributes).toMatchObject({ b: 2, "messaging.batch.message_count": 4 });
      const owner = span(String(d.attributes["app.request_id"]));
      expect(d.parentSpanContext?.spanId).toBe(owner.spanContext().spanId);
      expect(d.status.code).toBe(d.attributes["app.request_id"] === "m2" ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    }
  });

  it("tracing: messages of an unsampled trace get no child spans, and a batch with none calls straight through", async () => {
    const { flush } = traced(1);
    const batch = startMessageSpans([{ messageId: "n1", receiveCount: 1, awsTraceHeader: header(0) }]);
    expect(messageTraceId("n1")).toBe(xrayTraceId(TRACE));
    let built = 0;
    const lazy = () => ({ built: ++built });
    expect(await inMessageSpan("n1", "put", lazy, (span) => Promise.resolve(span))).toBeUndefined();
    expect(await inChildSpan("get", lazy, (span) => Promise.resolve(span))).toBeUndefined();
    expect(built).toBe(0);
    expect(await inMessagesSpans(["n1"], "delete", {}, () => Promise.resolve("done"))).toBe("done");
    batch.end();
    expect(await flush()).toEqual([]);
  });

  it("tracing: a batch call without per-entry failures leaves every child span unmarked", async () => {
    const { flush } = traced(1);
    const batch = startMessageSpans([{ messageId: "d1", receiveCount: 1 }]);
    expect(await inMessagesSpans(["d1"], "delete", {}, () => Promise.resolve("ok"))).toBe("ok");
    batch.end();
    const [child] = byName(await flush(), "delete");
    expect(child!.status.code).toBe(SpanStatusCode.UNSET);
  });
});

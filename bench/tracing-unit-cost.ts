/**
 * `npx tsx bench/tracing-unit-cost.ts`: what the services' tracing code itself costs per request and per message, in
 * this process's CPU time, with no network, emulator or load generator around it. bench:api and bench:processor
 * measure the whole service, where a shared machine's noise is several times the few percent at stake; this measures
 * only the code tracing adds (the api's server span, its log fields and GetItem child; the processor's message spans,
 * PutItem and delete children), with spans exported to a sink that drops them. Run once per sample rate (0, the
 * default, 1), each in a fresh process so one rate's JIT and heap do not carry into the next.
 */
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { startTracing } from "../apps/shared/src/tracing.js";
import { startMessageSpans, inMessageSpan, inMessagesSpans } from "../apps/shared/src/tracing-messages.js";
import { inChildSpan, traceLogFields, traceRequests } from "../apps/shared/src/tracing-spans.js";
import { DEFAULT_SAMPLE_RATE } from "./shared/tracing-overhead.js";

const N = Number(process.env.BENCH_TRACING_UNITS ?? 200_000);

/** Serializes each batch (as the OTLP exporter's JSON does) and drops it. */
const sink: SpanExporter = {
  export: (spans: ReadableSpan[], done) => {
    JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, context: s.spanContext() })));
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: () => Promise.resolve(),
};

function cpuMicroseconds(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function main(rate: number): Promise<void> {
  startTracing({
    service: "unit-cost",
    config: { sampleRate: rate, endpoint: "http://127.0.0.1:9/v1/traces" },
    exporter: sink,
  });
  const listener = traceRequests((_req, res) => {
    traceLogFields();
    void inChildSpan("GetItem", { "rpc.method": "GetItem" }, () => Promise.resolve(undefined));
    res.emit("close");
  });
  const request = { method: "GET", url: "/requests/x", headers: {} } as IncomingMessage;
  const response = () =>
    Object.assign(new EventEmitter(), {
      headersSent: true,
      statusCode: 200,
      writableFinished: true,
    }) as unknown as ServerResponse;
  let start = cpuMicroseconds();
  for (let i = 0; i < N; i++) listener(request, response());
  const perRequest = (cpuMicroseconds() - start) / N;

  start = cpuMicroseconds();
  for (let i = 0; i < N / 10; i++) {
    const batch = Array.from({ length: 10 }, (_, j) => ({ messageId: `m${i}-${j}`, receiveCount: 1 }));
    const spans = startMessageSpans(batch);
    for (const m of batch) {
      await inMessageSpan(m.messageId, "PutItem", { "rpc.method": "PutItem" }, () => Promise.resolve(undefined));
      spans.outcome(m.messageId, "created");
    }
    await inMessagesSpans(
      batch.map((m) => m.messageId),
      "DeleteMessageBatch",
      {},
      () => Promise.resolve(undefined),
    );
    spans.end();
  }
  const perMessage = (cpuMicroseconds() - start) / N;
  console.log(
    JSON.stringify({
      sampleRate: rate,
      cpuUsPerRequest: Math.round(perRequest * 100) / 100,
      cpuUsPerMessage: Math.round(perMessage * 100) / 100,
    }),
  );
}

const rate = process.argv[2];
if (rate === undefined) {
  const { execFileSync } = await import("node:child_process");
  for (const r of [0, DEFAULT_SAMPLE_RATE, 1])
    process.stdout.write(
      execFileSync(process.execPath, [...process.execArgv, import.meta.filename, String(r)], { encoding: "utf8" }),
    );
} else await main(Number(rate));

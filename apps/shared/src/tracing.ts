import {
  ROOT_CONTEXT,
  context,
  propagation,
  trace,
  type Span,
  type SpanOptions,
  type Tracer,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { AWSXRayPropagator } from "@opentelemetry/propagator-aws-xray";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import type { TracingConfig } from "./tracing-config.js";
import { TraceJoiningIdGenerator, type TraceOrigin } from "./tracing-context.js";

/**
 * The services' OpenTelemetry set-up, started once by each main.ts.
 *
 * Manual spans, not automatic instrumentation: both services ship as one esbuild bundle without node_modules
 * (apps/shared/bundle.mjs), and the instrumentations work by patching modules as `require` loads them from
 * node_modules, which a bundle never does. Keeping express, http and the AWS SDK external in the image would bring
 * node_modules back (and with it the image size and start time the bundle saves); an esbuild plugin for it would put a
 * build-time patcher between us and every dependency update. The calls worth a span are few and known (the request,
 * the DynamoDB read or write, the SQS delete), so they are wrapped by hand, with the attributes an operator searches by.
 *
 * Off (sample rate 0) starts nothing: the helpers check one boolean and call straight through.
 */

interface State {
  readonly tracer: Tracer;
  readonly ids: TraceJoiningIdGenerator;
  readonly provider: BasicTracerProvider;
}

let state: State | undefined;

export interface StartTracingOptions {
  /** `service.name` on every span (the node on the X-Ray trace map). */
  readonly service: string;
  readonly config: TracingConfig;
  /** Where spans go. @default OTLP/HTTP to `config.endpoint` */
  readonly exporter?: SpanExporter;
}

/**
 * How long finished spans wait to be sent together. Shorter than the SDK's 5 s default so a trace is complete soon
 * after its request (an operator following one request, the local waterfall); at the default sampling this is still
 * at most one small export call a second per task.
 */
const EXPORT_DELAY_MS = 1_000;

export function startTracing(options: StartTracingOptions): { shutdown(): Promise<void> } {
  if (options.config.sampleRate <= 0 || state) return { shutdown: async () => {} };
  const ids = new TraceJoiningIdGenerator();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.service }),
    idGenerator: ids,
    // Parent-based: a decision that arrives with the request (API Gateway's X-Ray sampling rules) is followed, so a
    // trace is never cut in half; the rate decides only traces that start here or arrive undecided.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.config.sampleRate) }),
    spanProcessors: [
      new BatchSpanProcessor(options.exporter ?? new OTLPTraceExporter({ url: options.config.endpoint }), {
        scheduledDelayMillis: EXPORT_DELAY_MS,
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new AWSXRayPropagator());
  trace.setGlobalTracerProvider(provider);
  state = { tracer: provider.getTracer(options.service), ids, provider };
  return {
    shutdown: async () => {
      // Sends what is buffered; a collector that is gone must not hold the shutdown (its budget is the caller's).
      await provider.shutdown().catch(() => undefined);
      state = undefined;
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export const tracingEnabled = (): boolean => state !== undefined;

/** Starts a span in the trace `origin` names (not made active); undefined when tracing is off. */
export function startSpanFrom(origin: TraceOrigin, name: string, options: SpanOptions): Span | undefined {
  if (!state) return undefined;
  if (origin.kind === "parent") return state.tracer.startSpan(name, options, origin.context);
  if (origin.kind === "trace") state.ids.nextTraceId(origin.traceId);
  try {
    return state.tracer.startSpan(name, { ...options, root: true }, ROOT_CONTEXT);
  } finally {
    state.ids.clearNextTraceId();
  }
}

/** Starts a child of the active span, or of `parent`; undefined when tracing is off. */
export function startChildSpan(name: string, options: SpanOptions, parent?: Span): Span | undefined {
  if (!state) return undefined;
  return state.tracer.startSpan(name, options, parent ? trace.setSpan(context.active(), parent) : context.active());
}

import { ROOT_CONTEXT, propagation, trace, type Context, type SpanContext } from "@opentelemetry/api";
import { AWSXRayIdGenerator } from "@opentelemetry/id-generator-aws-xray";
import type { IdGenerator } from "@opentelemetry/sdk-trace-base";

/**
 * Where a span's trace comes from, read from an X-Ray trace header (`X-Amzn-Trace-Id`, SQS's `AWSTraceHeader`, or the
 * `trace` message attribute):
 * - a header with a parent and a decision (`Root=...;Parent=...;Sampled=0|1`, what API Gateway and SQS send): the
 *   span is that parent's child, and the decision is followed (parent-based sampling);
 * - a header with only the trace id (`Root=...`, what the ingest template can build from `$context.xrayTraceId`, or
 *   an ALB header on a request that skipped API Gateway): the span starts that same trace, as one of its roots, and
 *   the sampler decides from the trace id (so every service sampling at the same rate decides alike). API Gateway
 *   decided by its own rules, which know nothing of that ratio: the two choose different subsets, so such a trace
 *   may hold the gateway's segment, the service's spans, or both. Only the first kind makes a trace complete;
 * - a header with `Root` and `Sampled` but no `Parent`: read as the kind above, so its decision is lost and the
 *   sampler decides again;
 * - anything else: a new trace.
 */
export type TraceOrigin =
  | { readonly kind: "parent"; readonly context: Context }
  | { readonly kind: "trace"; readonly traceId: string }
  | { readonly kind: "new" };

const ROOT = /(?:^|;)\s*Root=1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})\s*(?:;|$)/;

const headerGetter = {
  keys: () => ["x-amzn-trace-id"],
  get: (carrier: string) => carrier,
};

/** Reads one header value (undefined, empty or malformed headers start a new trace). */
export function traceOrigin(header: string | undefined): TraceOrigin {
  if (!header) return { kind: "new" };
  const parent = propagation.extract(ROOT_CONTEXT, header, headerGetter);
  if (trace.getSpanContext(parent) !== undefined) return { kind: "parent", context: parent };
  const root = ROOT.exec(header);
  return root ? { kind: "trace", traceId: `${root[1]}${root[2]}`.toLowerCase() } : { kind: "new" };
}

/** The first header of several that names a trace (e.g. SQS's AWSTraceHeader before the `trace` attribute). */
export function firstOrigin(headers: readonly (string | undefined)[]): TraceOrigin {
  let best: TraceOrigin = { kind: "new" };
  for (const header of headers) {
    const origin = traceOrigin(header);
    if (origin.kind === "parent") return origin;
    if (best.kind === "new") best = origin;
  }
  return best;
}

/** An OpenTelemetry trace id (32 hex digits) as X-Ray writes it: `1-<8 hex: epoch seconds>-<24 hex>`. */
export function xrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** The X-Ray trace id of a span context, for log lines (what the X-Ray console and Logs Insights search by). */
export const logTraceId = (spanContext: SpanContext): string => xrayTraceId(spanContext.traceId);

/**
 * X-Ray's id generator (a trace id starts with its epoch seconds, which X-Ray requires of the ids it indexes), with
 * one addition: `nextTraceId` makes the next root span join an existing trace (the `trace` origin above). Spans are
 * started synchronously, so the value set just before a start is the one that start reads; `clearNextTraceId` after
 * the start drops it if that start asked for no id (the SDK returns a non-recording span without one when tracing is
 * suppressed), so it cannot leak into an unrelated root span later.
 */
export class TraceJoiningIdGenerator implements IdGenerator {
  private readonly xray = new AWSXRayIdGenerator();
  private pending: string | undefined;

  nextTraceId(traceId: string): void {
    this.pending = traceId;
  }

  clearNextTraceId(): void {
    this.pending = undefined;
  }

  generateTraceId(): string {
    const pending = this.pending;
    this.pending = undefined;
    return pending ?? this.xray.generateTraceId();
  }

  generateSpanId(): string {
    return this.xray.generateSpanId();
  }
}

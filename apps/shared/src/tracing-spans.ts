import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import {
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  trace,
  type Attributes,
  type Span,
} from "@opentelemetry/api";
import { startChildSpan, startSpanFrom, tracingEnabled } from "./tracing.js";
import { logTraceId, traceOrigin } from "./tracing-context.js";

/** A span's attributes, or a function that builds them: called only when the span is made. */
export type SpanAttributes = Attributes | (() => Attributes);

export const attributesOf = (attributes: SpanAttributes): Attributes =>
  typeof attributes === "function" ? attributes() : attributes;

/** The id an operator searches a trace by: the request id a client holds (POST's answer, GET's path). */
export const REQUEST_ID_ATTRIBUTE = "app.request_id";

/**
 * Runs `call` inside a child span of the active span (or of `parent`), ending it with the call: an exception marks
 * it as an error and is rethrown unchanged. With tracing off, or under a span that is not recorded (its trace was not
 * sampled, so its children would not be either), `call` runs as it is, with no span: most requests are not sampled,
 * and a child span object per call was most of what tracing cost them (docs/BENCHMARKS.md, Tracing overhead). For
 * the same reason `attributes` may be a function, called only when a span is made.
 */
export async function inChildSpan<T>(
  name: string,
  attributes: SpanAttributes,
  call: (span: Span | undefined) => Promise<T>,
  parent?: Span,
): Promise<T> {
  if (!tracingEnabled() || !(parent ?? trace.getActiveSpan())?.isRecording()) return call(undefined);
  const span = startChildSpan(name, { kind: SpanKind.CLIENT, attributes: attributesOf(attributes) }, parent);
  try {
    return await call(span);
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span?.end();
  }
}

/** Records an exception on a span as its error status. */
export function markFailed(span: Span | undefined, error: unknown): void {
  if (!span) return;
  const name = error instanceof Error ? error.name : "Error";
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: name });
}

/** Tags the active span with the request id it serves (the api's GET, once the id is valid). */
export function tagRequestId(requestId: string): void {
  if (!tracingEnabled()) return;
  trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  const holder = context.active().getValue(LOG_FIELDS) as LogFields | undefined;
  if (holder) holder.requestId ??= requestId;
}

interface LogFields {
  requestId?: string;
}
const LOG_FIELDS = createContextKey("app.log-fields");

/**
 * pino's `mixin`: the X-Ray trace id and the request id of the request being handled, in every line logged while it
 * runs (the access log, error lines, the SDK's own), so logs and traces join on `traceId` (docs/OPERATIONS.md).
 */
export function traceLogFields(): Record<string, string> {
  const active = context.active();
  const span = trace.getSpan(active);
  if (!span) return {};
  const holder = active.getValue(LOG_FIELDS) as LogFields | undefined;
  const fields: Record<string, string> = { traceId: logTraceId(span.spanContext()) };
  if (holder?.requestId) fields.requestId = holder.requestId;
  return fields;
}

/** Sets the request id the log lines of the current request carry (the api's own x-request-id). */
export function setLogRequestId(requestId: string): void {
  if (!tracingEnabled()) return;
  const holder = context.active().getValue(LOG_FIELDS) as LogFields | undefined;
  if (holder) holder.requestId = requestId;
}

/**
 * The api's server span: one per HTTP request, continuing the `X-Amzn-Trace-Id` API Gateway sent (through the NLB and
 * the ALB, which adds `Self=`), active while the request is handled so the DynamoDB read becomes its child. Named by
 * the route once Express has matched it. With tracing off the listener is returned unwrapped.
 */
export function traceRequests(listener: RequestListener): RequestListener {
  if (!tracingEnabled()) return listener;
  return (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers["x-amzn-trace-id"];
    const span = startSpanFrom(traceOrigin(Array.isArray(header) ? header[0] : header), req.method ?? "HTTP", {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": req.method ?? "", "url.path": (req.url ?? "").split("?")[0]!.slice(0, 256) },
    })!;
    // An unsampled request's span records nothing: no need to hear when it ends.
    if (span.isRecording()) res.once("close", () => endServerSpan(span, req, res));
    const active = trace.setSpan(context.active(), span).setValue(LOG_FIELDS, {} satisfies LogFields);
    context.with(active, () => listener(req, res));
  };
}

function endServerSpan(span: Span, req: IncomingMessage, res: ServerResponse): void {
  const route = (req as { route?: { path?: unknown } }).route?.path;
  if (typeof route === "string") {
    span.updateName(`${req.method} ${route}`);
    span.setAttribute("http.route", route);
  }
  const requestId = (res as { locals?: { requestId?: unknown } }).locals?.requestId;
  if (typeof requestId === "string") span.setAttribute("app.http_request_id", requestId);
  if (!res.writableFinished) span.setAttribute("app.aborted", true);
  if (res.headersSent) {
    span.setAttribute("http.response.status_code", res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** The attributes of a DynamoDB call's span, by the OpenTelemetry semantic conventions for AWS SDK calls. */
export function dynamoSpanAttributes(operation: string, tableName: string, extra: Attributes = {}): Attributes {
  return {
    "rpc.system": "aws-api",
    "rpc.service": "DynamoDB",
    "rpc.method": operation,
    "aws.dynamodb.table_names": [tableName],
    ...extra,
  };
}

import { otelTraceId, type ReceivedSpan } from "./spans.js";

/**
 * One trace as a terminal waterfall: a row per span, indented under its parent, with a bar placed on the trace's time
 * line. A span whose parent never reached the receiver (API Gateway's own segment, which only X-Ray records) is shown
 * as a root under a line naming that parent.
 */

/** Attributes that hold an id an operator may search by. */
const ID_ATTRIBUTES = ["app.request_id", "app.http_request_id", "messaging.message.id"];

/** The trace ids with a span that names `id`: a request id (POST's answer, GET's path, x-request-id) or a trace id. */
export function tracesFor(spans: readonly ReceivedSpan[], id: string): string[] {
  const wanted = id.trim().toLowerCase();
  const asTrace = otelTraceId(wanted);
  const ids = new Set<string>();
  for (const span of spans) {
    if (span.traceId === asTrace || ID_ATTRIBUTES.some((a) => String(span.attributes[a] ?? "") === wanted))
      ids.add(span.traceId);
  }
  return [...ids];
}

const BAR_WIDTH = 32;

export function renderWaterfall(spans: readonly ReceivedSpan[]): string {
  if (spans.length === 0) return "(no spans)\n";
  const traceId = spans[0]!.traceId;
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  const total = Math.max(end - start, 0.001);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const span of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  const lines = [`trace 1-${traceId.slice(0, 8)}-${traceId.slice(8)}  ${spans.length} span(s), ${total.toFixed(1)} ms`];
  const row = (span: ReceivedSpan, depth: number) => {
    const from = Math.floor(((span.startMs - start) / total) * BAR_WIDTH);
    const width = Math.max(1, Math.round(((span.endMs - span.startMs) / total) * BAR_WIDTH));
    const bar = `${" ".repeat(Math.min(from, BAR_WIDTH - 1))}${"#".repeat(Math.min(width, BAR_WIDTH - from))}`;
    const label = `${"  ".repeat(depth)}${span.service}: ${span.name}`;
    const flags = [span.error ? "ERROR" : "", ...notable(span)].filter(Boolean).join(" ");
    lines.push(
      `  ${label.padEnd(44)} |${bar.padEnd(BAR_WIDTH)}| ${(span.endMs - span.startMs).toFixed(1).padStart(7)} ms${flags ? `  ${flags}` : ""}`,
    );
    for (const child of children.get(span.spanId) ?? []) row(child, depth + 1);
  };
  for (const root of roots) {
    if (root.parentSpanId) lines.push(`  (parent ${root.parentSpanId} not received: the caller's own segment)`);
    row(root, root.parentSpanId ? 1 : 0);
  }
  return `${lines.join("\n")}\n`;
}

/** The attributes worth a glance on a row. */
function notable(span: ReceivedSpan): string[] {
  const keys = [
    "app.request_id",
    "http.response.status_code",
    "app.message.outcome",
    "app.message.poison",
    "app.message.retried",
    "app.item_found",
  ];
  return keys
    .filter((k) => span.attributes[k] !== undefined && span.attributes[k] !== false)
    .map((k) => `${k.replace(/^app\./, "")}=${String(span.attributes[k])}`);
}

/**
 * Spans as the local receiver keeps them, decoded from OTLP/HTTP JSON (the services' exporter sends JSON, with trace
 * and span ids as hex strings and times as nanosecond strings, as the OTLP specification's JSON mapping says).
 */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Absent for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
  /** true when the span's status is ERROR. */
  readonly error: boolean;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number };
  links?: { traceId?: string; spanId?: string }[];
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

/** Decodes one export request; throws on a body that is not OTLP JSON, naming what is wrong. */
export function decodeOtlpJson(body: string): ReceivedSpan[] {
  let parsed: OtlpTraces;
  try {
    parsed = JSON.parse(body) as OtlpTraces;
  } catch {
    throw new Error("body is not JSON (the receiver takes OTLP/HTTP JSON, Content-Type application/json)");
  }
  if (!parsed || !Array.isArray(parsed.resourceSpans)) throw new Error("body has no resourceSpans array");
  return parsed.resourceSpans.flatMap((resource) => {
    const service = String(attributesOf(resource.resource?.attributes)["service.name"] ?? "unknown");
    return (resource.scopeSpans ?? []).flatMap((scope) => (scope.spans ?? []).map((s) => toSpan(service, s)));
  });
}

function toSpan(service: string, span: OtlpSpan): ReceivedSpan {
  return {
    service,
    traceId: span.traceId ?? "",
    spanId: span.spanId ?? "",
    parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
    name: span.name ?? "",
    kind: span.kind ?? 0,
    startMs: nanosToMs(span.startTimeUnixNano),
    endMs: nanosToMs(span.endTimeUnixNano),
    attributes: attributesOf(span.attributes),
    error: span.status?.code === 2,
    links: (span.links ?? []).map((l) => ({ traceId: l.traceId ?? "", spanId: l.spanId ?? "" })),
  };
}

/** Nanoseconds since the epoch (a string: they pass 2^53) to fractional milliseconds. */
function nanosToMs(nanos: string | number | undefined): number {
  if (nanos === undefined) return 0;
  const big = BigInt(nanos);
  return Number(big / 1_000n) / 1_000;
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) out[key] = scalar(value);
  return out;
}

function scalar(value: OtlpValue | undefined): string | number | boolean {
  if (!value) return "";
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(scalar).join(",");
  return "";
}

/** An X-Ray trace id (`1-<8 hex>-<24 hex>`) as the 32-hex OpenTelemetry id, or the input when it is not one. */
export function otelTraceId(id: string): string {
  const xray = /^1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})$/.exec(id);
  return xray ? `${xray[1]}${xray[2]}`.toLowerCase() : id.toLowerCase();
}

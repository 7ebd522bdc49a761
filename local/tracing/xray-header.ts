import { randomBytes } from "node:crypto";

/**
 * The trace header the local API Gateway puts on each request, as a stage with active tracing does: a request that
 * arrives without `X-Amzn-Trace-Id` starts a trace (`Root=1-<epoch seconds, 8 hex>-<24 hex>`), one that has a Root
 * continues it; the gateway's own segment becomes the parent, and the request is sampled (locally every request is:
 * one developer's traffic, where the point is to see the trace).
 */
export interface GatewayTrace {
  /** `$context.xrayTraceId`: `1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx`. */
  readonly traceId: string;
  /** The X-Amzn-Trace-Id sent to the integration. */
  readonly header: string;
}

const ROOT = /(?:^|;)\s*Root=(1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24})\s*(?:;|$)/;

export function gatewayTrace(incoming: string | undefined, now = Date.now()): GatewayTrace {
  const traceId =
    (incoming ? ROOT.exec(incoming)?.[1]?.toLowerCase() : undefined) ??
    `1-${Math.floor(now / 1000)
      .toString(16)
      .padStart(8, "0")}-${randomBytes(12).toString("hex")}`;
  return { traceId, header: `Root=${traceId};Parent=${randomBytes(8).toString("hex")};Sampled=1` };
}

import type { Infra } from "./infra.js";
import type { PriceTable } from "./prices.js";

/**
 * API Gateway's traces when its stage traces, estimated from X-Ray's default sampling rule: a reservoir of 1 request
 * a second, then 5% of the rest. An estimate: it takes the traffic as steady, counts the reservoir per API (X-Ray
 * may share it more widely, which records fewer), and an account with its own sampling rules records what they say.
 */
export const GATEWAY_RESERVOIR_PER_SECOND = 1;
export const GATEWAY_FIXED_RATE = 0.05;

export function gatewayTracesPerMonth(requests: number, secondsPerMonth: number): number {
  const perSecond = requests / secondsPerMonth;
  const reservoir = Math.min(perSecond, GATEWAY_RESERVOIR_PER_SECOND);
  return (reservoir + GATEWAY_FIXED_RATE * (perSecond - reservoir)) * secondsPerMonth;
}

/**
 * The X-Ray line: traces recorded, at X-Ray's price per million, plus their retrieval and scans
 * (`xrayScansPerRecordedTrace` of each). A trace is billed once, however many segments it has.
 * - GET: the gateway's traces (above); the api follows the decision that arrives with them, adding spans, not
 *   traces. Without a traced stage, GETs x the api's `TRACE_SAMPLE_RATE`.
 * - POST: the gateway's traces, plus the messages the processor samples outside them: on the `trace` attribute
 *   path it decides by trace id, independently of the gateway, so it records its rate of the rest too (an upper
 *   bound: where SQS's `AWSTraceHeader` carries the gateway's decision, the processor follows it and adds none).
 * Undefined when nothing traces.
 */
export function xrayLine(
  traffic: { readonly messages: number; readonly gets: number; readonly secondsPerMonth: number },
  infra: Infra,
  prices: PriceTable,
): { usd: number; detail: string } | undefined {
  const rate = (service: "api" | "processor") => Number(infra.services[service].environment.TRACE_SAMPLE_RATE ?? 0);
  const gateway = (api: "ingest" | "query", requests: number) =>
    infra.gatewayTracing[api] ? gatewayTracesPerMonth(requests, traffic.secondsPerMonth) : 0;
  const ingestGateway = gateway("ingest", traffic.messages);
  const queryGateway = gateway("query", traffic.gets);
  const posts = ingestGateway + (traffic.messages - ingestGateway) * rate("processor");
  const gets = infra.gatewayTracing.query ? queryGateway : traffic.gets * rate("api");
  const traces = posts + gets;
  if (traces <= 0) return undefined;
  const scans = traces * prices.assumptions.xrayScansPerRecordedTrace;
  const p = prices.prices;
  const million = (n: number) => round(n / 1e6, 3);
  return {
    usd: (traces / 1e6) * p.xrayMillionTracesRecorded.usd + (scans / 1e6) * p.xrayMillionTracesRetrieved.usd,
    detail: `${million(traces)} million traces recorded: ${million(ingestGateway + queryGateway)} by API Gateway (an estimate of its default sampling rule: 1 request/s + 5% of the rest, per API), ${million(posts - ingestGateway)} more by the processor (POST x ${rate("processor")} outside them), each scanned ${prices.assumptions.xrayScansPerRecordedTrace}x`,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

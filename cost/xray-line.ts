import type { Infra } from "./infra.js";
import type { PriceTable } from "./prices.js";

/**
 * The X-Ray line: traces recorded, the requests each service samples (POST: one trace per message, decided by the
 * processor's `TRACE_SAMPLE_RATE`, with the ingest gateway's segment in it; GET: one per call, decided by the api's),
 * at X-Ray's price per million recorded, plus their retrieval and scans (`xrayScansPerRecordedTrace` of each).
 * Behind API Gateway a request arrives with the stage's own X-Ray sampling decision (its default rule: one request a
 * second and 5% of the rest), which the services follow: at the default `tracing.sample_rate` of 0.05 the two agree
 * closely, at another rate the gateway's rule decides the requests that pass it. Undefined when tracing is off.
 */
export function xrayLine(
  traffic: { readonly messages: number; readonly gets: number },
  infra: Infra,
  prices: PriceTable,
): { usd: number; detail: string } | undefined {
  const rate = (service: "api" | "processor") => Number(infra.services[service].environment.TRACE_SAMPLE_RATE ?? 0);
  const traces = traffic.messages * rate("processor") + traffic.gets * rate("api");
  if (rate("processor") <= 0 && rate("api") <= 0) return undefined;
  const scans = traces * prices.assumptions.xrayScansPerRecordedTrace;
  const p = prices.prices;
  return {
    usd: (traces / 1e6) * p.xrayMillionTracesRecorded.usd + (scans / 1e6) * p.xrayMillionTracesRetrieved.usd,
    detail: `${round(traces / 1e6, 3)} million traces recorded (POST x ${rate("processor")} + GET x ${rate("api")}), each scanned ${prices.assumptions.xrayScansPerRecordedTrace}x`,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

import type { Infra, LogClass } from "./infra.js";
import type { PriceTable } from "./prices.js";

/**
 * The CloudWatch Logs line: ingestion of the api's request lines (the sampled share of them), the processor's lines
 * and the API Gateway access logs, each at its group's class price, plus storage at steady state for the retention
 * (once the retention period is full; 0 = kept forever: 12 months).
 */

/**
 * Bytes each `$context` variable of the access-log format expands to on a typical call of this API (a successful
 * one: the error variables are "-"); a variable not listed counts the assumption `accessLogValueBytes`.
 */
export const ACCESS_LOG_VALUE_BYTES: Readonly<Record<string, number>> = {
  "$context.requestId": 36, // a UUID
  "$context.extendedRequestId": 16,
  "$context.identity.sourceIp": 13, // an IPv4 address, up to 15
  "$context.identity.apiKeyId": 10,
  "$context.requestTimeEpoch": 13, // epoch milliseconds
  "$context.httpMethod": 4,
  "$context.resourcePath": 14, // /requests or /requests/{requestId}
  "$context.path": 31, // /v1/requests (POST) and /v1/requests/<UUID> (GET), averaged
  "$context.status": 3,
  "$context.protocol": 8, // HTTP/1.1
  "$context.responseLength": 3, // a 202 body of ~52 bytes, an item of ~1,300
  "$context.responseLatency": 2,
  "$context.integration.status": 3,
  "$context.integration.latency": 2,
  "$context.integration.error": 1, // "-" when there is none
  "$context.error.message": 1,
  "$context.xrayTraceId": 35,
};

const VARIABLE = /\$context\.[A-Za-z.]+/g;

/** An access-log line in bytes: the format's literal text plus each variable at its expected size, plus the newline. */
export function accessLogLineBytes(format: string | undefined, defaultValueBytes: number): number {
  if (!format) return 0;
  const variables = format.match(VARIABLE) ?? [];
  return (
    Buffer.byteLength(format.replace(VARIABLE, "")) +
    variables.reduce((n, v) => n + (ACCESS_LOG_VALUE_BYTES[v] ?? defaultValueBytes), 0) +
    1
  );
}

export interface LogsLoad {
  readonly gets: number;
  readonly messages: number;
  readonly apiBytesPerLoggedGet: number;
  readonly processorBytesPerMessage: number;
}

export function logsLine(load: LogsLoad, infra: Infra, prices: PriceTable) {
  const p = prices.prices;
  const a = prices.assumptions;
  const accessBytes =
    infra.stages.length > 0 ? accessLogLineBytes(infra.stages[0]!.accessLogFormat, a.accessLogValueBytes) : 0;
  // The api logs a sample of its requests (every 5xx too: a share of traffic the bill leaves out).
  const sampleRate = Number(infra.services.api.environment.REQUEST_LOG_SAMPLE_RATE ?? 1);
  const apiBytesPerGet = load.apiBytesPerLoggedGet * sampleRate;
  const streams = [
    { bytes: load.gets * apiBytesPerGet, kind: "api" },
    { bytes: load.messages * load.processorBytesPerMessage, kind: "processor" },
    { bytes: (load.messages + load.gets) * accessBytes, kind: "apiGatewayAccess" },
  ] as const;
  const ingestPrice = (logClass: LogClass) =>
    logClass === "INFREQUENT_ACCESS" ? p.logsIngestGbInfrequentAccess.usd : p.logsIngestGb.usd;
  const usd = streams.reduce((sum, s) => {
    const gb = s.bytes / 1e9;
    const days = infra.logRetentionDays[s.kind];
    const months = (days === 0 ? a.daysPerYear : days) / (a.daysPerYear / 12);
    return (
      sum + gb * ingestPrice(infra.logClasses[s.kind]) + gb * months * a.logsCompressionRatio * p.logsStorageGbMonth.usd
    );
  }, 0);
  const classes = [...new Set(streams.map((s) => infra.logClasses[s.kind]))].join(" + ");
  const gb = streams.reduce((n, s) => n + s.bytes, 0) / 1e9;
  return {
    usd,
    detail: `${round(gb, 3)} GB/month ingested, ${classes} (api ${round(apiBytesPerGet, 2)} B/GET: ${load.apiBytesPerLoggedGet} B per line x ${sampleRate} sampled, processor ${load.processorBytesPerMessage} B/message, access logs ~${accessBytes} B/call), stored for the retention period`,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

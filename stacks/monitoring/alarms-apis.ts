import type { AlarmSpec, Thresholds } from "./alarm-spec.js";
import { wafDimensions, type MonitoredResources, type RestApiStageRef } from "./monitored-resources.js";

/** The two REST APIs (hops `ingest` and `query`): 5xx rate and p99 latency of each stage. */
export function restApiAlarms(
  { ingestApi, queryApi }: Pick<MonitoredResources, "ingestApi" | "queryApi">,
  t: Thresholds,
): AlarmSpec[] {
  const apiDimensions = ({ api, stage }: RestApiStageRef) => ({ ApiName: api.name, Stage: stage.stageName });
  return (
    [
      ["ingest", "ingest", ingestApi, t.ingest_p99_latency_ms],
      ["query", "query", queryApi, t.query_p99_latency_ms],
    ] as const
  ).flatMap(([hop, name, ref, latencyMs]): AlarmSpec[] => [
    {
      hop,
      key: `${name}-5xx-rate`,
      meaning: `More than ${t.api_5xx_percent}% of ${name} API requests answered 5xx in 3 of the last 5 minutes`,
      // The Average of 5XXError is the share of requests that failed (each request counts 0 or 1).
      metric: {
        namespace: "AWS/ApiGateway",
        metricName: "5XXError",
        dimensions: apiDimensions(ref),
        statistic: "Average",
      },
      threshold: t.api_5xx_percent / 100,
      comparison: "GreaterThanThreshold",
      window: [3, 5],
      missingData: "notBreaching",
    },
    {
      hop,
      key: `${name}-p99-latency`,
      meaning: `The ${name} API's p99 latency stayed above ${latencyMs} ms for 5 minutes`,
      metric: {
        namespace: "AWS/ApiGateway",
        metricName: "Latency",
        dimensions: apiDimensions(ref),
        extendedStatistic: "p99",
      },
      threshold: latencyMs,
      comparison: "GreaterThanThreshold",
      window: [5, 5],
      missingData: "notBreaching",
    },
  ]);
}

/**
 * The web ACL in front of both APIs (on the ingest row: it is the first thing a request meets): a spike of blocked
 * requests is an attack, a misbehaving client, or a rule that started blocking legitimate traffic.
 */
export function webAclAlarms({ webAcl }: Pick<MonitoredResources, "webAcl">, t: Thresholds): AlarmSpec[] {
  if (!webAcl) return [];
  return [
    {
      hop: "ingest",
      key: "waf-blocked-requests",
      meaning: `The web ACL blocked more than ${t.waf_blocked_requests_per_minute} requests a minute in 3 of the last 5 minutes`,
      metric: {
        namespace: "AWS/WAFV2",
        metricName: "BlockedRequests",
        dimensions: wafDimensions(webAcl),
        statistic: "Sum",
      },
      threshold: t.waf_blocked_requests_per_minute,
      comparison: "GreaterThanThreshold",
      window: [3, 5],
      missingData: "notBreaching",
    },
  ];
}

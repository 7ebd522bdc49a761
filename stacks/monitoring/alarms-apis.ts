import type { AlarmSpec, Thresholds } from "./alarm-spec.js";
import type { MonitoredResources, RestApiStageRef } from "./monitored-resources.js";

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

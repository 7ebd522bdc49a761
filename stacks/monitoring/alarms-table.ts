import { PERIOD, type AlarmSpec, type Thresholds } from "./alarm-spec.js";
import { TABLE_OPERATIONS, type MonitoredResources } from "./monitored-resources.js";

/** The results table (hop `table`): throttles and system errors, summed over the operations the services call. */
export function tableAlarms({ table }: Pick<MonitoredResources, "table">, t: Thresholds): AlarmSpec[] {
  return (
    [
      ["table-throttled-requests", "ThrottledRequests", t.dynamodb_throttled_requests, "throttled requests"],
      ["table-system-errors", "SystemErrors", t.dynamodb_system_errors, "system errors (HTTP 500 from DynamoDB)"],
    ] as const
  ).map(([key, metricName, threshold, what]): AlarmSpec => {
    const perOperation = TABLE_OPERATIONS.map((operation, index) => ({
      id: `op${index}`,
      metric: {
        namespace: "AWS/DynamoDB",
        metricName,
        dimensions: { TableName: table.name, Operation: operation },
        stat: "Sum",
        period: PERIOD,
      },
    }));
    return {
      hop: "table",
      key,
      meaning: `More than ${threshold} ${what} per minute on the results table in 3 of the last 5 minutes`,
      metric: [
        ...perOperation,
        {
          id: "total",
          expression: perOperation.map((m) => `FILL(${m.id}, 0)`).join(" + "),
          label: `${metricName}, all operations`,
          returnData: true,
        },
      ],
      threshold,
      comparison: "GreaterThanThreshold",
      window: [3, 5],
      missingData: "notBreaching",
    };
  });
}

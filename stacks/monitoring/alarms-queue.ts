import type { CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { PERIOD, type AlarmSpec, type Thresholds } from "./alarm-spec.js";
import type { MonitoredResources } from "./monitored-resources.js";

/**
 * The request queue's alarms: a message waiting too long (hop `queue`) and a processor that deletes nothing while
 * messages wait (hop `processor`, from the queue's own metrics). The DLQ alarm lives with the queue.
 */
export function queueAlarms({ queue }: Pick<MonitoredResources, "queue">, t: Thresholds): AlarmSpec[] {
  const queueMetric = (id: string, metricName: string, stat: string): CloudwatchMetricAlarmMetricQuery => ({
    id,
    metric: { namespace: "AWS/SQS", metricName, dimensions: { QueueName: queue.name }, stat, period: PERIOD },
  });
  return [
    {
      hop: "queue",
      key: "queue-oldest-message",
      meaning: `A message has waited in the request queue for more than ${t.queue_oldest_message_seconds} s`,
      metric: {
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: queue.name },
        statistic: "Maximum",
      },
      threshold: t.queue_oldest_message_seconds,
      comparison: "GreaterThanThreshold",
      window: [3, 3],
      missingData: "notBreaching",
    },
    {
      hop: "processor",
      key: "processor-stalled",
      meaning: `Messages were waiting and none was deleted (processed) for ${t.processor_stalled_minutes} minutes`,
      metric: [
        queueMetric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
        queueMetric("deleted", "NumberOfMessagesDeleted", "Sum"),
        {
          id: "stalled",
          // SQS may skip a zero data point; a missing delete count during a backlog is a stall, not a gap.
          expression: "IF(FILL(visible, 0) > 0 AND FILL(deleted, 0) == 0, 1, 0)",
          label: "backlog with no deletes (1 = stalled)",
          returnData: true,
        },
      ],
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
      window: [t.processor_stalled_minutes, t.processor_stalled_minutes],
      missingData: "notBreaching",
    },
  ];
}

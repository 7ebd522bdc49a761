import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DLQ_RETENTION_SECONDS, RECEIVE_WAIT_SECONDS } from "../shared/defaults.js";
import { policyDocument } from "../shared/iam.js";
import { runbookLink } from "../monitoring/runbook.js";

/** Largest message body accepted, in bytes (256 KiB). */
export const MAX_MESSAGE_BYTES = 262_144;

export interface RequestQueueProps {
  /** Queue name; the DLQ is `<name>-dlq`. */
  readonly name: string;
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /**
   * Worst-case time the processor needs for one batch. The visibility timeout is twice this, so a message is not
   * handed to a second consumer while the first still works on it (the processor also extends visibility).
   */
  readonly maxBatchSeconds: number;
  /** How long an unprocessed message is kept. @default 345600 (4 days) */
  readonly messageRetentionSeconds?: number;
  /** Where the "message in the DLQ" alarm notifies (an SNS topic ARN). @default the alarm only changes state */
  readonly alarmTopicArn?: string | null;
}

/** The ingest queue and its dead-letter queue: SSE on both, long polling, TLS-only access. */
export class RequestQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly visibilityTimeoutSeconds: number;
  /** "A message reached the DLQ": shown on the dashboard with the other alarms. */
  readonly deadLetterAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: RequestQueueProps) {
    super(scope, id);
    this.visibilityTimeoutSeconds = props.maxBatchSeconds * 2;
    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: `${props.name}-dlq`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DLQ_RETENTION_SECONDS,
    });
    this.queue = new SqsQueue(this, "queue", {
      name: props.name,
      sqsManagedSseEnabled: true,
      // The data contract's limit: SQS's default grew to 1 MiB, but the processor and DynamoDB items are sized for
      // 256 KiB. A larger body is refused by SQS at once (the client gets a 400), not accepted and dead-lettered.
      maxMessageSize: MAX_MESSAGE_BYTES,
      receiveWaitTimeSeconds: RECEIVE_WAIT_SECONDS,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      messageRetentionSeconds: props.messageRetentionSeconds ?? 345_600,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: props.maxReceiveCount,
      }),
    });
    // Only this queue may use the DLQ, so a misconfigured queue elsewhere cannot fill it.
    new SqsQueueRedriveAllowPolicy(this, "dlq-redrive-allow", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
    });
    // A dead letter is a request that was accepted (202) and never processed: someone must look at it.
    this.deadLetterAlarm = new CloudwatchMetricAlarm(this, "dlq-alarm", {
      alarmName: `${props.name}-dlq-not-empty`,
      alarmDescription: `Messages failed ${props.maxReceiveCount} times and wait in ${props.name}-dlq. ${runbookLink("dlq-not-empty")}`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
      ...(props.alarmTopicArn ? { alarmActions: [props.alarmTopicArn], okActions: [props.alarmTopicArn] } : {}),
    });
    for (const [policyId, target] of [
      ["queue-policy", this.queue],
      ["dlq-policy", this.deadLetterQueue],
    ] as const) {
      new SqsQueuePolicy(this, policyId, { queueUrl: target.url, policy: tlsOnlyPolicy(target.arn) });
    }
  }
}

/** Denies every request that does not use TLS (the only statement: access itself is granted by IAM roles). */
function tlsOnlyPolicy(queueArn: string): string {
  return policyDocument([
    {
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principals: { AWS: "*" },
      actions: ["sqs:*"],
      resources: [queueArn],
      conditions: { Bool: { "aws:SecureTransport": "false" } },
    },
  ]);
}

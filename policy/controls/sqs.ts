import { field, reference, resources, statements, type TfResource } from "../../tfjson/index.js";
import { each, type Control } from "./check.js";

/** SQS */
export const SQS_CONTROLS: readonly Control[] = [
  {
    ids: ["SQS.1", "CKV_AWS_27"],
    resourceType: "aws_sqs_queue",
    title: "Encryption at rest on every queue (DLQ included)",
    why: "Messages carry customer payloads.",
    check: (input) =>
      each(
        resources(input.main, "aws_sqs_queue"),
        (q) => q.body.sqs_managed_sse_enabled !== true && !q.body.kms_master_key_id && "not encrypted",
      ),
  },
  {
    ids: ["SQS.3", "CKV_AWS_72"],
    resourceType: "aws_sqs_queue_policy",
    title: "No wildcard principal or action in Allow statements of queue policies",
    why: "A public queue policy lets anyone send or read messages.",
    check: (input) =>
      each(resources(input.main, "aws_sqs_queue_policy"), (p) => {
        const open = statements(p.body.policy).filter(
          (s) =>
            s.Effect === "Allow" &&
            (JSON.stringify(s.Principal ?? null).includes('"*"') || s.Action.some((a) => a === "*" || a === "sqs:*")),
        );
        return open.length > 0 && "Allow with wildcard principal or action";
      }),
  },
  {
    ids: ["CUSTOM.SQS_TLS"],
    resourceType: "aws_sqs_queue_policy",
    title: "Every queue denies requests without TLS",
    why: "Encryption in transit must not depend on every client's settings.",
    check: (input) => {
      const tlsOnly = resources(input.main, "aws_sqs_queue_policy")
        .filter((p) =>
          statements(p.body.policy).some(
            (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes('"aws:SecureTransport":"false"'),
          ),
        )
        .map((p) => p.body.queue_url);
      return each(
        resources(input.main, "aws_sqs_queue"),
        (q) => !tlsOnly.includes(reference(q, "url")) && "no TLS-only policy",
      );
    },
  },
  {
    ids: ["CUSTOM.SQS_DLQ"],
    resourceType: "aws_sqs_queue",
    title: "Every work queue has a DLQ with maxReceiveCount",
    why: "A message that can never succeed must end somewhere inspectable, not loop or vanish.",
    check: (input) => {
      const queues = resources(input.main, "aws_sqs_queue");
      return each(
        queues.filter((q) => !isDeadLetterQueue(q, queues)),
        (q) => {
          const redrive = redrivePolicy(q);
          return !(redrive?.deadLetterTargetArn && Number(redrive.maxReceiveCount) >= 1) && "no dead-letter queue";
        },
      );
    },
  },

  {
    ids: ["CUSTOM.DLQ_ALARM"],
    resourceType: "aws_cloudwatch_metric_alarm",
    title: "An alarm on every dead-letter queue",
    why: "A message in the DLQ was accepted (202) and never processed; without an alarm nobody knows.",
    check: (input) => {
      const queues = resources(input.main, "aws_sqs_queue");
      const dlqs = queues.filter((q) => isDeadLetterQueue(q, queues));
      const watched = resources(input.main, "aws_cloudwatch_metric_alarm").map((a) =>
        field(a.body, "dimensions", "QueueName"),
      );
      return each(dlqs, (q) => !watched.includes(reference(q, "name")) && "no alarm on its depth");
    },
  },
];

interface RedrivePolicy {
  readonly deadLetterTargetArn?: unknown;
  readonly maxReceiveCount?: unknown;
}

/** A queue's `redrive_policy` (a JSON string), parsed; undefined when the queue has none. */
function redrivePolicy(queue: TfResource): RedrivePolicy | undefined {
  return queue.body.redrive_policy ? (JSON.parse(queue.body.redrive_policy as string) as RedrivePolicy) : undefined;
}

/** Whether some queue's redrive policy sends its failed messages to `queue`. */
function isDeadLetterQueue(queue: TfResource, queues: readonly TfResource[]): boolean {
  return queues.some((other) => redrivePolicy(other)?.deadLetterTargetArn === reference(queue, "arn"));
}

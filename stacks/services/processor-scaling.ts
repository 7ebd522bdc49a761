import { Construct } from "constructs";
import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { serviceScalableTarget } from "./scalable-target.js";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";

export interface ProcessorScalingProps {
  readonly name: string;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly queue: SqsQueue;
  /** At least 1: backlog per task has no value without a running task (see the policy). */
  readonly minCount: number;
  readonly maxCount: number;
  /** How long a message may wait in the queue before a task takes it, in steady state. */
  readonly acceptableBacklogSeconds: number;
  /** Messages one task processes per second (derived from docs/cost-inputs.json in docs/OPERATIONS.md). */
  readonly messagesPerSecondPerTask: number;
}

/**
 * Backlog one task may hold and still clear within the acceptable delay: the policy's target. Rounded up, so a
 * tiny product never becomes a target of 0 (which would ask for max_count tasks as soon as one message waits).
 */
export function backlogPerTaskTarget(acceptableBacklogSeconds: number, messagesPerSecondPerTask: number): number {
  return Math.max(1, Math.ceil(acceptableBacklogSeconds * messagesPerSecondPerTask));
}

/**
 * Scales the processor on backlog per task (visible messages / running tasks), AWS's recommended metric for queue
 * workers: unlike queue depth it says how far behind each task is, and unlike CPU it rises for I/O-bound work too.
 * One target-tracking policy scales out and in, so a steady trickle no longer keeps max_count tasks running.
 */
export class ProcessorScaling extends Construct {
  readonly target: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: ProcessorScalingProps) {
    super(scope, id);
    this.target = serviceScalableTarget(this, props);
    new AppautoscalingPolicy(this, "backlog-per-task", {
      name: `${props.name}-backlog-per-task`,
      policyType: "TargetTrackingScaling",
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: backlogPerTaskTarget(props.acceptableBacklogSeconds, props.messagesPerSecondPerTask),
        customizedMetricSpecification: {
          metrics: [
            {
              id: "visible",
              metricStat: {
                metric: {
                  namespace: "AWS/SQS",
                  metricName: "ApproximateNumberOfMessagesVisible",
                  dimensions: [{ name: "QueueName", value: props.queue.name }],
                },
                stat: "Sum",
              },
              returnData: false,
            },
            {
              id: "running",
              metricStat: {
                metric: {
                  namespace: "ECS/ContainerInsights",
                  metricName: "RunningTaskCount",
                  dimensions: [
                    { name: "ClusterName", value: props.cluster.name },
                    { name: "ServiceName", value: props.service.name },
                  ],
                },
                stat: "Average",
              },
              returnData: false,
            },
            // With 0 running tasks the quotient has no value and the policy waits; min_count >= 1 keeps ECS
            // restarting tasks, and the tasks-below-desired alarm reports it.
            {
              id: "backlog_per_task",
              expression: "visible / running",
              label: "Messages visible per running task",
              returnData: true,
            },
          ],
        },
        scaleOutCooldown: 60,
        // Longer in than out: a burst often comes in waves, and a task started a minute ago costs little to keep.
        scaleInCooldown: 300,
      },
    });
  }
}

import { Construct } from "constructs";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";

export interface ProcessorScalingProps {
  readonly name: string;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly queue: SqsQueue;
  readonly minCount: number;
  readonly maxCount: number;
  /** Visible messages above which the service adds tasks. */
  readonly scaleOutQueueDepth: number;
  /** Average CPU the target-tracking policy holds the service at. @default 70 */
  readonly targetCpuPercent?: number;
}

/**
 * Scales the processor on queue depth (step scaling: bigger backlog, bigger step), scales in once the queue has
 * been empty for a while, and adds tasks on high CPU so heavy business logic also gets capacity.
 */
export class ProcessorScaling extends Construct {
  constructor(scope: Construct, id: string, props: ProcessorScalingProps) {
    super(scope, id);
    const target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.cluster.name}/${props.service.name}`,
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });
    const scalable = {
      serviceNamespace: target.serviceNamespace,
      scalableDimension: target.scalableDimension,
      resourceId: target.resourceId,
    };
    const depth = props.scaleOutQueueDepth;

    const scaleOut = new AppautoscalingPolicy(this, "scale-out", {
      name: `${props.name}-queue-depth-out`,
      policyType: "StepScaling",
      ...scalable,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        // Bounds are relative to the alarm threshold: +1 task for a backlog up to 10x the threshold, +3 beyond.
        stepAdjustment: [
          { metricIntervalLowerBound: "0", metricIntervalUpperBound: String(depth * 9), scalingAdjustment: 1 },
          { metricIntervalLowerBound: String(depth * 9), scalingAdjustment: 3 },
        ],
      },
    });
    const scaleIn = new AppautoscalingPolicy(this, "scale-in", {
      name: `${props.name}-queue-empty-in`,
      policyType: "StepScaling",
      ...scalable,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 300,
        metricAggregationType: "Maximum",
        stepAdjustment: [{ metricIntervalUpperBound: "0", scalingAdjustment: -1 }],
      },
    });
    const queueMetric = (metricName: string) => ({
      namespace: "AWS/SQS",
      metricName,
      dimensions: { QueueName: props.queue.name },
      stat: "Maximum",
      period: 60,
    });
    new CloudwatchMetricAlarm(this, "backlog-alarm", {
      alarmName: `${props.name}-queue-backlog`,
      alarmDescription: `More than ${depth} messages waiting: add processor tasks`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: props.queue.name },
      statistic: "Maximum",
      period: 60,
      comparisonOperator: "GreaterThanThreshold",
      threshold: depth,
      evaluationPeriods: 2,
      alarmActions: [scaleOut.arn],
    });
    // Idle means nothing waiting AND nothing in flight: "visible = 0" alone is also true while the tasks keep up
    // with a steady load, and scaling in then would flap.
    new CloudwatchMetricAlarm(this, "idle-alarm", {
      alarmName: `${props.name}-queue-idle`,
      alarmDescription: "No message waiting or in flight for 10 minutes: remove a processor task",
      metricQuery: [
        { id: "visible", metric: queueMetric("ApproximateNumberOfMessagesVisible") },
        { id: "inflight", metric: queueMetric("ApproximateNumberOfMessagesNotVisible") },
        { id: "total", expression: "visible + inflight", label: "messages waiting or in flight", returnData: true },
      ],
      comparisonOperator: "LessThanOrEqualToThreshold",
      threshold: 0,
      evaluationPeriods: 10,
      alarmActions: [scaleIn.arn],
    });
    new AppautoscalingPolicy(this, "cpu", {
      name: `${props.name}-cpu`,
      policyType: "TargetTrackingScaling",
      ...scalable,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetCpuPercent ?? 70,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleOutCooldown: 60,
        // Scale-in is the idle alarm's job: an I/O-bound processor has low CPU while the backlog is still high.
        disableScaleIn: true,
      },
    });
  }
}

import { Construct } from "constructs";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmMetricQuery,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { PERIOD, type AlarmSpec, type SingleMetric, type Thresholds } from "./alarm-spec.js";
import { restApiAlarms, webAclAlarms } from "./alarms-apis.js";
import { releaseAlarms } from "./deployment-alarms.js";
import { ingressAlarms } from "./alarms-ingress.js";
import { queueAlarms } from "./alarms-queue.js";
import { serviceAlarms } from "./alarms-services.js";
import { tableAlarms } from "./alarms-table.js";
import { HOPS, type Hop, type MonitoredResources } from "./monitored-resources.js";
import { runbookLink } from "./runbook.js";

export interface AlarmsProps extends MonitoredResources {
  /** Alarm name prefix, e.g. `orders-prod`. */
  readonly prefix: string;
  /** Every alarm notifies this topic when it goes into ALARM and back to OK. */
  readonly topicArn: string;
  readonly thresholds: Thresholds;
}

/**
 * The alarm set of the main stack (the DLQ alarm lives with the queue), one `alarms-*.ts` file per component. Each
 * alarm's dimensions are references to the resources it watches, never names typed twice, so a renamed resource
 * cannot leave an alarm watching nothing.
 */
export class Alarms extends Construct {
  /** The alarms of each hop, in creation order (the dashboard's alarm widgets). */
  readonly byHop = Object.fromEntries(HOPS.map((hop) => [hop, []])) as unknown as Record<Hop, CloudwatchMetricAlarm[]>;
  /** Every alarm by its key (the deployments' rollback alarms are looked up here). */
  readonly byKey: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    for (const spec of [
      ...webAclAlarms(props, t),
      ...restApiAlarms(props, t),
      ...queueAlarms(props, t),
      ...serviceAlarms(props, t),
      ...tableAlarms(props, t),
      ...ingressAlarms(props, t),
      ...releaseAlarms(props, t),
    ]) {
      this.alarm(props, spec);
    }
  }

  private alarm(props: AlarmsProps, spec: AlarmSpec): CloudwatchMetricAlarm {
    const [datapoints, periods] = spec.window;
    const metric = Array.isArray(spec.metric)
      ? { metricQuery: spec.metric as CloudwatchMetricAlarmMetricQuery[] }
      : { ...(spec.metric as SingleMetric), period: PERIOD };
    const alarm = new CloudwatchMetricAlarm(this, spec.key, {
      alarmName: `${props.prefix}-${spec.key}`,
      alarmDescription: `${spec.meaning}. ${runbookLink(spec.key)}`,
      ...metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: periods,
      datapointsToAlarm: datapoints,
      treatMissingData: spec.missingData,
      alarmActions: [props.topicArn],
      okActions: [props.topicArn],
    });
    this.byHop[spec.hop].push(alarm);
    this.byKey[spec.key] = alarm;
    return alarm;
  }
}

import type { Construct } from "constructs";
import { AlarmTopic } from "./monitoring/alarm-topic.js";
import { Alarms } from "./monitoring/alarms.js";
import { Dashboard } from "./monitoring/dashboard.js";
import { holdRolloutsToAlarms } from "./monitoring/deployment-alarms.js";
import { DeploymentEvents, deploymentEventsRuleArn } from "./monitoring/deployment-events.js";
import type { Apis } from "./main-apis.js";
import type { MainContext } from "./main-context.js";
import type { Data } from "./main-data.js";
import type { Services } from "./main-services.js";
import type { MonitoredResources } from "./monitoring/monitored-resources.js";
import type { PrivateIngress } from "./network/private-ingress.js";

/** Every alarm notifies one topic: the configured one, or one this stack creates (encrypted, with subscriptions). */
export function addAlarmTopic(scope: Construct, { config, prefix, partition, region, accountId }: MainContext): string {
  // An existing topic (alarm_topic_arn) must admit the deployment rule itself: docs/OPERATIONS.md says what.
  return (
    config.alarm_topic_arn ??
    new AlarmTopic(scope, "alarm-topic", {
      name: `${prefix}-alarms`,
      partition,
      region,
      accountId,
      alarmNamePrefix: prefix,
      eventRuleArns: [deploymentEventsRuleArn(prefix, partition, region, accountId)],
      emailSubscriptions: config.alarms.email_subscriptions,
    }).topic.arn
  );
}

export interface MonitoringInputs extends Data, Services, Apis {
  readonly ingress: PrivateIngress;
  readonly alarmTopicArn: string;
}

export interface Monitoring {
  readonly alarms: Alarms;
  readonly dashboard: Dashboard;
}

/** The alarms of every hop and the dashboard that shows them next to their graphs. */
export function addMonitoring(
  scope: Construct,
  { config, prefix, region }: MainContext,
  inputs: MonitoringInputs,
): Monitoring {
  const { queue, table, ingress, ingestApi, queryApi } = inputs;
  const watched: MonitoredResources = {
    ingestApi: { api: ingestApi.stage.api, stage: ingestApi.stage.stage },
    queryApi: { api: queryApi.stage.api, stage: queryApi.stage.stage },
    queue: queue.queue,
    table: table.table,
    cluster: inputs.cluster,
    apiService: inputs.api.service,
    processorService: inputs.processor.service,
    alb: ingress.alb,
    serviceTargetGroup: ingress.serviceTargetGroup,
    alternateTargetGroup: inputs.apiTrafficShift?.alternateTargetGroup ?? null,
    nlb:
      ingress.nlb && ingress.albTargetGroup
        ? { loadBalancer: ingress.nlb, albTargetGroup: ingress.albTargetGroup }
        : null,
    webAcl: inputs.webAcl ? { acl: inputs.webAcl.webAcl, region } : null,
  };
  const alarms = new Alarms(scope, "alarms", {
    ...watched,
    prefix,
    topicArn: inputs.alarmTopicArn,
    thresholds: config.alarms,
  });
  holdRolloutsToAlarms(inputs, alarms.byKey);
  new DeploymentEvents(scope, "deployment-events", {
    prefix,
    services: [inputs.api.service, inputs.processor.service],
    topicArn: inputs.alarmTopicArn,
  });
  const dashboard = new Dashboard(scope, "dashboard", {
    ...watched,
    name: prefix,
    region,
    deadLetterQueue: queue.deadLetterQueue,
    alarms: { ...alarms.byHop, queue: [queue.deadLetterAlarm, ...alarms.byHop.queue] },
  });
  return { alarms, dashboard };
}

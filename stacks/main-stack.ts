import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import type { Config } from "../config/schema.js";
import type { ServiceName } from "../ecr/ecr-stack.js";
import { BaseStack } from "../foundation/base-stack.js";
import type { ImageRepository } from "./services/fargate-service.js";
import { addApis } from "./main-apis.js";
import type { MainContext } from "./main-context.js";
import { addData } from "./main-data.js";
import { addNetworkAndIngress } from "./main-network.js";
import { addAlarmTopic, addMonitoring } from "./main-operations.js";
import { addOutputs } from "./main-outputs.js";
import { addServices, imageTagVariables } from "./main-services.js";

export interface MainStackProps {
  readonly config: Config;
  /** The `ecr` stack's repositories (a cross-stack reference: `main` depends on `ecr`). */
  readonly repositories: Readonly<Record<ServiceName, ImageRepository>>;
}

/**
 * Stack `main`: the whole runtime architecture (README, "Architecture"; docs/ARCHITECTURE.md), in parts that each
 * take what they need and return what later parts use: network and ingress, data, services, APIs, operations.
 */
export class MainStack extends BaseStack {
  constructor(scope: Construct, id: string, { config, repositories }: MainStackProps) {
    super(scope, id, config);
    // The partition comes from the credentials' account, so ARNs are right in aws-cn and aws-us-gov too.
    const partition = new DataAwsPartition(this, "partition");
    const context: MainContext = {
      config,
      prefix: this.prefix,
      globalPrefix: this.globalPrefix,
      region: config.region,
      accountId: new DataAwsCallerIdentity(this, "caller").accountId,
      partition: partition.partition,
      reverseDnsPrefix: partition.reverseDnsPrefix,
      logs: {
        retentionDays: config.log_retention_days,
        kmsKeyArn: config.log_kms_key_arn,
        logClass: config.log_group_class,
      },
    };
    const imageTags = imageTagVariables(this, config);

    const networking = addNetworkAndIngress(this, context);
    const { ingress, network } = networking;
    const alarmTopicArn = addAlarmTopic(this, context);
    const data = addData(this, context, alarmTopicArn);
    const services = addServices(this, context, { ...networking, ...data, repositories, imageTags });
    const apis = addApis(this, context, { queue: data.queue.queue, ingress, apiService: services.api.service });
    const { dashboard } = addMonitoring(this, context, { ...data, ...services, ...apis, ingress, alarmTopicArn });
    addOutputs(this, config, { ...data, ...services, ...apis, dashboard, ingress, network, alarmTopicArn, imageTags });
  }
}

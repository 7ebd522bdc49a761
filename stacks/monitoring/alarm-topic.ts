import { Construct } from "constructs";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { policyDocument } from "../shared/iam.js";

export interface AlarmTopicProps {
  /** Topic name; the key alias is `alias/<name>`. */
  readonly name: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Every alarm that notifies the topic is named `<alarmNamePrefix>-...`: CloudWatch may publish (and use the key)
   * only for those alarms. An alarm named otherwise deploys fine and delivers nothing, so a test pins the names.
   */
  readonly alarmNamePrefix: string;
  /** EventBridge rules that may publish to the topic (and use its key), e.g. deployment events. @default none */
  readonly eventRuleArns?: readonly string[];
  /** Email addresses subscribed to every alarm (each must confirm the subscription). @default none */
  readonly emailSubscriptions?: readonly string[];
}

/**
 * The SNS topic every alarm notifies, encrypted with its own customer-managed KMS key. CloudWatch alarms cannot
 * publish to a topic encrypted with the AWS-managed `alias/aws/sns` key (its policy cannot be changed to admit
 * cloudwatch.amazonaws.com), so the key policy here grants CloudWatch exactly what publishing needs.
 */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const alarmArns = `arn:${props.partition}:cloudwatch:${props.region}:${props.accountId}:alarm:${props.alarmNamePrefix}-*`;
    const ruleArns = props.eventRuleArns ?? [];
    // Only on behalf of these rules of this account (confused-deputy protection), like the alarms.
    const fromRules = {
      StringEquals: { "aws:SourceAccount": props.accountId },
      ArnEquals: { "aws:SourceArn": ruleArns },
    };
    const eventsMay = (actions: string[], resources: string[]) =>
      ruleArns.length
        ? [
            {
              sid: "EventRulesPublish",
              principals: { Service: "events.amazonaws.com" },
              actions,
              resources,
              conditions: fromRules,
            },
          ]
        : [];
    this.key = new KmsKey(this, "key", {
      description: `Encrypts the ${props.name} alarm topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument([
        // The account keeps control of its key (without this statement nobody could manage or delete it).
        {
          sid: "AccountAdministers",
          principals: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
          actions: ["kms:*"],
          resources: ["*"],
        },
        {
          sid: "CloudWatchAlarmsPublish",
          principals: { Service: "cloudwatch.amazonaws.com" },
          actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
          resources: ["*"],
          // Only on behalf of this account's alarms (confused-deputy protection).
          conditions: {
            StringEquals: { "aws:SourceAccount": props.accountId },
            ArnLike: { "aws:SourceArn": alarmArns },
          },
        },
        ...eventsMay(["kms:GenerateDataKey*", "kms:Decrypt"], ["*"]),
      ]),
    });
    new KmsAlias(this, "alias", { name: `alias/${props.name}`, targetKeyId: this.key.keyId });

    this.topic = new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: this.key.arn });
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: policyDocument([
        {
          sid: "CloudWatchAlarmsPublish",
          principals: { Service: "cloudwatch.amazonaws.com" },
          actions: ["sns:Publish"],
          resources: [this.topic.arn],
          conditions: {
            StringEquals: { "aws:SourceAccount": props.accountId },
            ArnLike: { "aws:SourceArn": alarmArns },
          },
        },
        ...eventsMay(["sns:Publish"], [this.topic.arn]),
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: { AWS: "*" },
          actions: ["sns:Publish", "sns:Subscribe"],
          resources: [this.topic.arn],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
    (props.emailSubscriptions ?? []).forEach((address, index) => {
      // Indexed ids: reordering the list replaces subscriptions, which only asks those addresses to confirm again.
      new SnsTopicSubscription(this, `email-${index}`, {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: address,
      });
    });
  }
}

import { Construct } from "constructs";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { logGroup, type LogSettings } from "../shared/log-group.js";

export interface ApiWebAclProps {
  /** The web ACL's name, also the prefix of its CloudWatch metric names. */
  readonly name: string;
  /** Requests one client IP may send within `rateWindowSeconds` before the rate rule blocks it. */
  readonly rateLimitPerIp: number;
  /** The rate rule's sliding window: 60, 120, 300 or 600 seconds. @default 300 */
  readonly rateWindowSeconds?: number;
  /** Retention and encryption of the log of blocked and counted requests. */
  readonly logs: LogSettings;
}

/**
 * Request headers that carry credentials: WAF logs whole requests, so these are redacted (a SigV4 request's session
 * token travels in `x-amz-security-token`, a Cognito access token in `authorization`).
 */
export const REDACTED_HEADERS = ["x-api-key", "authorization", "x-amz-security-token"] as const;

/** The AWS managed rule groups, in evaluation order: the cheapest, most certain verdicts first. */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesCommonRuleSet",
] as const;

/**
 * The common rule set's rule that blocks request bodies over 8 KB. The ingest API's contract accepts any JSON object
 * up to SQS's message size, so this rule only counts (its metric still shows how often it would have blocked). The
 * query API takes no bodies, so counting there changes nothing.
 */
export const COUNTED_MANAGED_RULES = ["SizeRestrictions_BODY"] as const;

/** The rule name of the per-IP rate rule, as its metrics and sampled requests name it. */
export const RATE_RULE = "rate-per-ip";

/**
 * A regional WAFv2 web ACL for the two REST API stages: AWS managed rule groups (IP reputation, known bad inputs,
 * the common rule set) and a per-IP rate rule that answers 403. Requests pass unless a rule blocks them. Every rule
 * publishes CloudWatch metrics and sampled requests under `<name>-<rule>`. Blocked and counted requests are logged to
 * `aws-waf-logs-<name>` (WAF requires that prefix), credential headers redacted: what the runbook queries, without
 * paying to log every allowed request.
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = MANAGED_RULE_GROUPS.map((group, priority) => ({
      name: group,
      priority,
      overrideAction: { none: {} },
      // `statement` is untyped in the bindings (its nesting is recursive): Terraform's own block names.
      statement: {
        managed_rule_group_statement: {
          name: group,
          vendor_name: "AWS",
          ...(group === "AWSManagedRulesCommonRuleSet"
            ? {
                rule_action_override: COUNTED_MANAGED_RULES.map((rule) => ({
                  name: rule,
                  action_to_use: { count: {} },
                })),
              }
            : {}),
        },
      },
      visibilityConfig: visibility(`${props.name}-${group}`),
    }));
    const rate = {
      name: RATE_RULE,
      priority: managed.length,
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: props.rateLimitPerIp,
          aggregate_key_type: "IP",
          evaluation_window_sec: props.rateWindowSeconds ?? 300,
        },
      },
      visibilityConfig: visibility(`${props.name}-${RATE_RULE}`),
    };
    this.webAcl = new Wafv2WebAcl(this, "web-acl", {
      name: props.name,
      description: "Both REST API stages: AWS managed rule groups and a per-IP rate limit",
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: [...managed, rate],
      visibilityConfig: visibility(props.name),
    });
    const logs = logGroup(this, "logs", `aws-waf-logs-${props.name}`, props.logs);
    this.logGroupName = logs.name;
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [logs.arn],
      loggingFilter: {
        defaultBehavior: "DROP",
        filter: [
          {
            behavior: "KEEP",
            requirement: "MEETS_ANY",
            condition: ["BLOCK", "COUNT"].map((action) => ({ actionCondition: { action } })),
          },
        ],
      },
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { name } })),
    });
  }
}

import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";

/** How every log group of the product is kept; one shape so retention and encryption cannot be forgotten. */
export interface LogSettings {
  /** Days to keep log events. */
  readonly retentionDays: number;
  /** KMS key for the log data. @default CloudWatch Logs' own encryption */
  readonly kmsKeyArn?: string | null;
}

export function logGroup(scope: Construct, id: string, name: string, settings: LogSettings): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, {
    name,
    retentionInDays: settings.retentionDays,
    ...(settings.kmsKeyArn ? { kmsKeyId: settings.kmsKeyArn } : {}),
  });
}

import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";

/** How every log group of the product is kept; one shape so retention and encryption cannot be forgotten. */
export interface LogSettings {
  /** Days to keep log events. */
  readonly retentionDays: number;
  /** KMS key for the log data. @default CloudWatch Logs' own encryption */
  readonly kmsKeyArn?: string | null;
  /**
   * The log class. A group's class cannot change once it exists: another value replaces the group (and deletes its
   * events). @default "STANDARD"
   */
  readonly logClass?: "STANDARD" | "INFREQUENT_ACCESS";
}

export function logGroup(scope: Construct, id: string, name: string, settings: LogSettings): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, {
    name,
    retentionInDays: settings.retentionDays,
    ...(settings.kmsKeyArn ? { kmsKeyId: settings.kmsKeyArn } : {}),
    // Only set when not the default, so a Standard group's plan shows no new attribute.
    ...(settings.logClass === "INFREQUENT_ACCESS" ? { logGroupClass: settings.logClass } : {}),
  });
}

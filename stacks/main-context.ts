import type { Config } from "../config/schema.js";
import type { LogSettings } from "./shared/log-group.js";

/** Stage name of both REST APIs. */
export const STAGE_NAME = "v1";

/**
 * What every part of the main stack reads (read-only): the validated config and the stack's names and identity.
 * The parts (`main-*.ts`) create their constructs directly in the stack, never in a construct of their own, so the
 * construct ids, and with them the Terraform addresses in the state, are those of one flat stack.
 */
export interface MainContext {
  readonly config: Config;
  /** `<project>-<environment>` (BaseStack.prefix). */
  readonly prefix: string;
  /** `<project>-<environment>-<region>` (BaseStack.globalPrefix), for IAM names. */
  readonly globalPrefix: string;
  readonly region: string;
  readonly accountId: string;
  /** The account's partition (`aws`, `aws-cn`, `aws-us-gov`): every ARN is built with it. */
  readonly partition: string;
  /** The partition's reverse DNS prefix (`com.amazonaws`, `cn.com.amazonaws`), for AWS service names. */
  readonly reverseDnsPrefix: string;
  readonly logs: LogSettings;
}

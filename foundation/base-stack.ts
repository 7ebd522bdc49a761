import { Construct } from "constructs";
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { globalNamePrefix, namePrefix } from "../config/naming.js";
import type { Config } from "../config/schema.js";

/** What both stacks share: the AWS provider with default tags, the state backend and the Terraform version. */
export abstract class BaseStack extends TerraformStack {
  /** `<project>-<environment>`: the prefix of every resource name. */
  readonly prefix: string;
  /** `<project>-<environment>-<region>`: the prefix of account-global names (IAM roles), unique per region too. */
  readonly globalPrefix: string;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id);
    this.prefix = namePrefix(config);
    this.globalPrefix = globalNamePrefix(config);
    // `moved`/`check` blocks and `terraform_data` need 1.5+; the S3 backend's `use_lockfile` needs 1.10+, and older
    // versions would stop at init with "unsupported argument" rather than this clear version message.
    const usesS3Lockfile = config.state_backend.type === "s3" && config.state_backend.use_lockfile;
    this.addOverride("terraform.required_version", usesS3Lockfile ? ">= 1.10.0" : ">= 1.5.0");
    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [
        {
          tags: {
            ...config.tags,
            project: config.project,
            environment: config.environment,
            "managed-by": "cdktf",
            stack: id,
          },
        },
      ],
    });
    configureBackend(this, id, config.state_backend);
  }
}

function configureBackend(stack: TerraformStack, stackId: string, backend: Config["state_backend"]): void {
  if (backend.type === "local") {
    // Relative to cdktf.out/stacks/<stack>, so state lands at the repository root (git-ignored) and the
    // synthesized JSON holds no absolute path. The same relative path works for cross-stack reads.
    new LocalBackend(stack, { path: `../../../terraform.${stackId}.tfstate` });
    return;
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: `${backend.key_prefix}/${stackId}.tfstate`,
    ...(backend.region ? { region: backend.region } : {}),
    encrypt: true,
  });
  // cdktf 0.21 predates `use_lockfile` (Terraform 1.10+): S3-native state locking without a DynamoDB table.
  if (backend.use_lockfile) s3.addOverride("use_lockfile", true);
}

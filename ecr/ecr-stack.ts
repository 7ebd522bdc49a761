import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import type { Config } from "../config/schema.js";
import { BaseStack } from "../foundation/base-stack.js";
import { lifecyclePolicy } from "./lifecycle-policy.js";

/** The services whose images this project builds; one repository each. */
export const SERVICE_NAMES = ["api", "processor"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Stack `ecr`: image repositories, deployed before `main` so images can be pushed before the services start.
 * Tags are immutable (a tag always means the same image, so rollback by tag is exact), images are scanned on push,
 * encrypted with KMS, and a lifecycle policy bounds storage.
 */
export class EcrStack extends BaseStack {
  readonly repositories: Readonly<Record<ServiceName, EcrRepository>>;

  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id, config);
    const entries = SERVICE_NAMES.map((service) => {
      const repository = new EcrRepository(this, `${service}-repository`, {
        name: `${this.prefix}/${service}`,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: "KMS" }],
        forceDelete: false,
      });
      new EcrLifecyclePolicy(this, `${service}-lifecycle`, {
        repository: repository.name,
        policy: lifecyclePolicy({ keep: config.ecr_keep_images, keepDeployed: config.ecr_keep_deployed_images }),
      });
      new TerraformOutput(this, `${service}_repository_url`, { value: repository.repositoryUrl });
      return [service, repository] as const;
    });
    this.repositories = Object.fromEntries(entries) as Record<ServiceName, EcrRepository>;
  }
}

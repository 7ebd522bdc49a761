import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import type { Config } from "../config/schema.js";
import { BaseStack } from "../stacks/base-stack.js";

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
        policy: lifecyclePolicy(config.ecr_keep_images),
      });
      new TerraformOutput(this, `${service}_repository_url`, { value: repository.repositoryUrl });
      return [service, repository] as const;
    });
    this.repositories = Object.fromEntries(entries) as Record<ServiceName, EcrRepository>;
  }
}

/**
 * Untagged layers (left by failed pushes) go after a week; beyond that, keep the newest `keep` images.
 * The `any` rule must have the highest priority number: ECR rejects a policy where it comes first.
 */
export function lifecyclePolicy(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: "Expire untagged images after 7 days",
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `Keep the newest ${keep} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

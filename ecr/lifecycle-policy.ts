/**
 * The repositories' lifecycle policy. ECR cannot see what ECS runs, so the deploy marks each image it deploys with
 * an extra tag, `deployed-<tag>` (scripts/push-images.sh --mark-deployed, before `cdktf deploy main`). ECR never
 * lets a lower-priority rule expire an image whose tags a higher-priority rule selects, so:
 * 1. deployed images: the newest `keepDeployed` are kept (the running one and the rollback targets);
 * 2. untagged images (left by failed pushes) expire after a week;
 * 3. everything else: images beyond the newest `keep` of ALL images expire. Rule 1's images are never expired here,
 *    but ECR still counts them, so the never-deployed images kept are `keep` minus the deployed images among the
 *    newest `keep` (none when the newest `keep` were all deployed). Pushes that were never deployed cannot push a
 *    deployed image out, and a rollback target stays until `keepDeployed` newer images have been deployed.
 * The `any` rule must have the highest priority number: ECR rejects a policy where it comes earlier.
 */

/** Prefix of the tag a deploy adds; tags stop at 128 characters, so a long image tag is cut to fit. */
export const DEPLOYED_TAG_PREFIX = "deployed-";

export function deployedTag(imageTag: string): string {
  return `${DEPLOYED_TAG_PREFIX}${imageTag}`.slice(0, 128);
}

export interface LifecycleLimits {
  /** Images kept counting every image: the never-deployed ones fill what the deployed ones leave of it. */
  readonly keep: number;
  /** Deployed images kept: the running image and the newest rollback targets. */
  readonly keepDeployed: number;
}

export function lifecyclePolicy({ keep, keepDeployed }: LifecycleLimits): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the newest ${keepDeployed} deployed images (tagged ${DEPLOYED_TAG_PREFIX}*)`,
        selection: {
          tagStatus: "tagged",
          tagPatternList: [`${DEPLOYED_TAG_PREFIX}*`],
          countType: "imageCountMoreThan",
          countNumber: keepDeployed,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: "Expire untagged images after 7 days",
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
        action: { type: "expire" },
      },
      {
        rulePriority: 3,
        description: `Keep the newest ${keep} images; deployed ones count toward ${keep} but only rule 1 expires them`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
        action: { type: "expire" },
      },
    ],
  });
}

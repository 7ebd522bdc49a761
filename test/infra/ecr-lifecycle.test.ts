import { describe, expect, test } from "vitest";
import { deployedTag, lifecyclePolicy } from "../../ecr/lifecycle-policy.js";
import { expiredBy, type Image } from "../support/ecr-lifecycle.js";

const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

/** `count` images pushed one a day, newest first: `sha-0` is today's. */
function pushes(count: number, deployed: readonly number[] = []): Image[] {
  return Array.from({ length: count }, (_, i) => ({
    digest: `sha256:${i}`,
    tags: [`sha-${i}`, ...(deployed.includes(i) ? [deployedTag(`sha-${i}`)] : [])],
    pushedAt: daysAgo(i),
  }));
}

describe("ecr: lifecycle policy (evaluated with ECR's documented rules)", () => {
  const policy = lifecyclePolicy({ keep: 30, keepDeployed: 20 });

  test("ecr lifecycle: 40 pushes without a deploy do not expire the running image", () => {
    const images = pushes(41, [40]); // the running image was pushed 40 days ago, then 40 builds were never deployed
    const expired = expiredBy(policy, images, NOW);
    expect(expired.has("sha256:40")).toBe(false);
    expect(expired.size).toBe(10); // the never-deployed images beyond the newest 30 (the deployed one counts in them)
  });

  test("ecr lifecycle: after a rollback, the image rolled back to is kept", () => {
    // 25 deploys, newest first; the service was rolled back to the one deployed 19 deploys ago.
    const images = pushes(
      25,
      Array.from({ length: 25 }, (_, i) => i),
    );
    const expired = expiredBy(policy, images, NOW);
    expect(expired.has("sha256:19")).toBe(false);
    expect([...expired].sort()).toEqual(["sha256:20", "sha256:21", "sha256:22", "sha256:23", "sha256:24"]);
  });

  test("ecr lifecycle: deployed images count toward the newest `keep`, so fewer never-deployed images are kept", () => {
    // 40 pushes one a day; every other one of the newest 20 was deployed (10 deployed, all within rule 1's 20).
    const deployed = Array.from({ length: 10 }, (_, i) => 2 * i);
    const expired = expiredBy(policy, pushes(40, deployed), NOW);
    const keptNeverDeployed = 40 - deployed.length - expired.size;
    expect(keptNeverDeployed).toBe(20); // keep is 30, of which the 10 deployed images take 10
    for (const digest of deployed) expect(expired.has(`sha256:${digest}`)).toBe(false);
    const rule3 = JSON.parse(policy).rules[2].description;
    expect(rule3).toBe("Keep the newest 30 images; deployed ones count toward 30 but only rule 1 expires them");
  });

  test("ecr lifecycle: untagged images expire after 7 days, tagged ones of the same age stay", () => {
    const images: Image[] = [
      { digest: "sha256:untagged-old", tags: [], pushedAt: daysAgo(8) },
      { digest: "sha256:untagged-new", tags: [], pushedAt: daysAgo(6) },
      { digest: "sha256:tagged-old", tags: ["v1"], pushedAt: daysAgo(8) },
    ];
    expect([...expiredBy(policy, images, NOW)]).toEqual(["sha256:untagged-old"]);
  });

  test("ecr lifecycle: the policy's limits come from the config", () => {
    const rules = JSON.parse(lifecyclePolicy({ keep: 7, keepDeployed: 3 })).rules;
    expect(rules.map((r: any) => [r.rulePriority, r.selection.tagStatus, r.selection.countNumber])).toEqual([
      [1, "tagged", 3],
      [2, "untagged", 7],
      [3, "any", 7],
    ]);
  });

  test("ecr lifecycle: the deployed tag fits ECR's 128-character tag limit", () => {
    expect(deployedTag("a".repeat(128))).toHaveLength(128);
    expect(deployedTag("3f2c1ab")).toBe("deployed-3f2c1ab");
  });

  test("ecr lifecycle evaluator: a keep-newest-N rule alone expires a running image (the defect this policy fixes)", () => {
    const keepNewest = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
          action: { type: "expire" },
        },
      ],
    });
    expect(expiredBy(keepNewest, pushes(41, [40]), NOW).has("sha256:40")).toBe(true);
  });
});

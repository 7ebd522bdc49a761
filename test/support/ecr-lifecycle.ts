/**
 * A small evaluator of ECR lifecycle policies, written from ECR's documented rules, to test our policy on example
 * image lists (ECR itself cannot run here):
 * - rules apply in rulePriority order; each selects images by tag status and tag pattern (`*` is a wildcard; every
 *   pattern of the list must match one of the image's tags);
 * - `imageCountMoreThan` expires the selected images beyond the newest `countNumber` (by push time);
 *   `sinceImagePushed` those pushed more than `countNumber` days ago;
 * - an image selected by a higher-priority rule is never expired by a lower one, but still counts in its count.
 */

export interface Image {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
}

interface Rule {
  rulePriority: number;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPatternList?: string[];
    tagPrefixList?: string[];
    countType: "imageCountMoreThan" | "sinceImagePushed";
    countUnit?: "days";
    countNumber: number;
  };
  action: { type: "expire" };
}

const DAY_MS = 86_400_000;

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

function selects(rule: Rule, image: Image): boolean {
  const { tagStatus, tagPatternList, tagPrefixList } = rule.selection;
  if (tagStatus === "any") return true;
  if (tagStatus === "untagged") return image.tags.length === 0;
  const patterns = [
    ...(tagPatternList ?? []).map(globToRegExp),
    ...(tagPrefixList ?? []).map((prefix) => globToRegExp(`${prefix}*`)),
  ];
  return image.tags.length > 0 && patterns.every((pattern) => image.tags.some((tag) => pattern.test(tag)));
}

/** The digests the policy expires at `now`. */
export function expiredBy(policy: string, images: readonly Image[], now: Date): Set<string> {
  const rules = (JSON.parse(policy) as { rules: Rule[] }).rules.sort((a, b) => a.rulePriority - b.rulePriority);
  const protectedDigests = new Set<string>();
  const expired = new Set<string>();
  for (const rule of rules) {
    const selected = images
      .filter((image) => selects(rule, image))
      .sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime());
    const { countType, countNumber } = rule.selection;
    const candidates =
      countType === "imageCountMoreThan"
        ? selected.slice(countNumber)
        : selected.filter((image) => now.getTime() - image.pushedAt.getTime() > countNumber * DAY_MS);
    for (const image of candidates) if (!protectedDigests.has(image.digest)) expired.add(image.digest);
    for (const image of selected) protectedDigests.add(image.digest);
  }
  return expired;
}

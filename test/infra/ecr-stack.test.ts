import { beforeAll, describe, expect, test } from "vitest";
import { resourceAt, resourcesOf, synthApp, type TfJson } from "../support/synth.js";

let ecr: TfJson;
beforeAll(() => {
  ecr = synthApp().ecr;
});

describe("ecr stack", () => {
  test("ecr: one repository per service with immutable tags, scan on push and KMS encryption", () => {
    expect(resourcesOf(ecr, "aws_ecr_repository")).toHaveLength(2);
    for (const service of ["api", "processor"]) {
      expect(resourceAt(ecr, "aws_ecr_repository", `${service}-repository`)).toMatchObject({
        name: `orders-prod/${service}`,
        image_tag_mutability: "IMMUTABLE",
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "KMS" }],
        force_delete: false,
      });
    }
  });

  test("ecr: the lifecycle policy keeps ecr_keep_deployed_images deployed images and ecr_keep_images others", () => {
    const changed = synthApp({ ecr_keep_images: 5, ecr_keep_deployed_images: 4 }).ecr;
    const { rules } = JSON.parse(resourceAt(changed, "aws_ecr_lifecycle_policy", "api-lifecycle").policy);
    expect(rules.map((r: any) => [r.selection.tagStatus, r.selection.countNumber])).toEqual([
      ["tagged", 4],
      ["untagged", 7],
      ["any", 5],
    ]);
  });

  test("ecr: outputs each repository URL and uses its own state file", () => {
    expect(ecr.output?.api_repository_url?.value).toBe("${aws_ecr_repository.api-repository.repository_url}");
    expect(ecr.output?.processor_repository_url?.value).toBe(
      "${aws_ecr_repository.processor-repository.repository_url}",
    );
    expect(ecr.terraform?.backend).toEqual({ local: { path: "../../../terraform.ecr.tfstate" } });
  });

  test("ecr: every resource carries the configured tags plus project, environment and stack", () => {
    const [tags] = (ecr.provider as any).aws[0].default_tags;
    expect(tags.tags).toEqual({
      owner: "platform-team",
      "cost-center": "1234",
      project: "orders",
      environment: "prod",
      "managed-by": "cdktf",
      stack: "ecr",
    });
  });
});

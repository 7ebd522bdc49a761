import { field, reference, resources, show } from "../../tfjson/index.js";
import { each, type Control } from "./check.js";

/** ECR */
export const ECR_CONTROLS: readonly Control[] = [
  {
    ids: ["ECR.1"],
    resourceType: "aws_ecr_repository",
    title: "Images are scanned on push",
    why: "Known CVEs are reported before an image is deployed.",
    check: (input) =>
      each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => field(r.body, "image_scanning_configuration", "scan_on_push") !== true && "scan on push off",
      ),
  },
  {
    ids: ["ECR.2", "CKV_AWS_51"],
    resourceType: "aws_ecr_repository",
    title: "Immutable tags",
    why: "A tag always means the same image, so deploys and rollbacks by tag are exact.",
    check: (input) =>
      each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => r.body.image_tag_mutability !== "IMMUTABLE" && `tags ${show(r.body.image_tag_mutability ?? "MUTABLE")}`,
      ),
  },
  {
    ids: ["ECR.3"],
    resourceType: "aws_ecr_lifecycle_policy",
    title: "A lifecycle policy on every repository",
    why: "Bounds storage cost and removes untagged layers.",
    check: (input) => {
      const covered = resources(input.ecr, "aws_ecr_lifecycle_policy").map((p) => p.body.repository);
      return each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => !covered.includes(reference(r, "name")) && "no lifecycle policy",
      );
    },
  },
  {
    ids: ["CKV_AWS_136"],
    resourceType: "aws_ecr_repository",
    title: "Repositories encrypted with KMS",
    why: "KMS encryption gives key-level access control and audit.",
    check: (input) =>
      each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => field(r.body, "encryption_configuration", 0, "encryption_type") !== "KMS" && "not KMS-encrypted",
      ),
  },
];

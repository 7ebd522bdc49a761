import { describe, expect, test } from "vitest";
import { resources, type TfJson } from "../support/tfjson.js";
import { refTo, resourceAt, synthApp } from "../support/synth.js";

/** Resource types whose names are unique per AWS account (not per region), with the attribute holding the name. */
const ACCOUNT_GLOBAL_NAMES: Readonly<Record<string, string>> = {
  aws_iam_role: "name",
  aws_iam_policy: "name",
  aws_iam_user: "name",
  aws_iam_instance_profile: "name",
  aws_s3_bucket: "bucket",
};

function accountGlobalNames(...stacks: TfJson[]): string[] {
  return stacks.flatMap((stack) =>
    Object.entries(ACCOUNT_GLOBAL_NAMES).flatMap(([type, attribute]) =>
      resources(stack, type).map((r) => `${type}:${r.body[attribute]}`),
    ),
  );
}

describe("first deploy: what a plan cannot see", () => {
  test("regions: the same config deployed to a second region shares no account-global name with the first", () => {
    const first = synthApp({ region: "eu-west-1" });
    const second = synthApp({ region: "us-east-1" });
    const firstNames = accountGlobalNames(first.ecr, first.main);
    expect(firstNames.length).toBeGreaterThan(0);
    expect(firstNames.filter((name) => accountGlobalNames(second.ecr, second.main).includes(name))).toEqual([]);
  });

  test("regions: every account-global name fits IAM's 64 characters at the config's longest prefix", () => {
    const longest = synthApp({ project: "abcdefghijklmnopqrst", environment: "abcdefg", region: "ap-southeast-4" });
    const tooLong = accountGlobalNames(longest.ecr, longest.main).filter((name) => name.split(":")[1]!.length > 64);
    expect(tooLong).toEqual([]);
  });

  test("ecs: services and task definitions wait for their roles' policies, not just the roles", () => {
    const { main } = synthApp();
    for (const service of ["api", "processor"]) {
      const policies = [
        refTo(main, "aws_iam_role_policy", `${service}/execution-role/policy`, "id").replace(/^\$\{|\.id\}$/g, ""),
        refTo(main, "aws_iam_role_policy", `${service}/task-role/policy`, "id").replace(/^\$\{|\.id\}$/g, ""),
      ];
      expect(resourceAt(main, "aws_ecs_service", `${service}/service`).depends_on).toEqual(
        expect.arrayContaining(policies),
      );
      expect(resourceAt(main, "aws_ecs_task_definition", `${service}/task`).depends_on).toEqual(
        expect.arrayContaining(policies),
      );
    }
  });
});

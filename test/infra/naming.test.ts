import { describe, expect, test } from "vitest";
import { bucketNameProblem, globalNamePrefix, namePrefix, namingProblems, NAME_SUFFIXES } from "../../config/naming.js";

/** `n` lowercase letters: names of an exact length. */
const letters = (n: number) => "abcdefghijklmnopqrstuvwxyz".repeat(4).slice(0, n);

describe("naming: AWS name rules, exactly at their limits", () => {
  test("naming: the prefixes are project-environment and project-environment-region", () => {
    expect(namePrefix({ project: "orders", environment: "prod" })).toBe("orders-prod");
    expect(globalNamePrefix({ project: "orders", environment: "prod", region: "eu-west-1" })).toBe(
      "orders-prod-eu-west-1",
    );
  });

  test("naming: a load balancer name of exactly 32 characters passes; 33 fails, naming the longest name", () => {
    // GIVEN project-environment of 28 characters WHEN "-alb"/"-nlb" (4) are appended THEN 32 is allowed
    const ok = { project: letters(20), environment: letters(7), region: "eu-west-1" };
    expect(namePrefix(ok)).toHaveLength(28);
    expect(namingProblems(ok)).toEqual([]);
    const long = { ...ok, environment: letters(8) };
    expect(namingProblems(long)).toEqual([
      {
        field: "environment",
        message: `makes the load balancer name "${letters(20)}-${letters(8)}-alb" (33 characters), but Elastic Load Balancing names are at most 32 characters`,
      },
    ]);
  });

  test("naming: an IAM role name of exactly 64 characters passes; 65 fails, naming the longest role", () => {
    // The longest suffix is "-processor-execution" (20): project-environment-region may have 44 characters.
    const longest = Math.max(...NAME_SUFFIXES.iamRole.map((s) => s.length));
    expect(longest).toBe(20);
    const at = (region: string) => ({ project: "ab", environment: "cd", region });
    const region = (n: number) => `${letters(n - 4)}-x-1`; // a region-shaped string of n characters
    expect(globalNamePrefix(at(region(38)))).toHaveLength(44);
    expect(namingProblems(at(region(38)))).toEqual([]);
    const name = `ab-cd-${region(39)}-processor-execution`;
    expect(name).toHaveLength(65);
    expect(namingProblems(at(region(39)))).toEqual([
      {
        field: "environment",
        message: `makes the IAM role name "${name}" (65 characters), but IAM role names are at most 64 characters`,
      },
    ]);
  });

  test("naming: an SQS queue name of exactly 80 characters passes; 81 fails, naming the DLQ (the longest)", () => {
    // "-requests-dlq" is 13 characters: a 67-character prefix makes 80. (Longer than the schema lets a config be:
    // the rule is checked here on its own.)
    const config = (environment: string) => ({ project: "ab", environment, region: "eu-west-1" });
    const withoutOthers = (problems: ReturnType<typeof namingProblems>) =>
      problems.filter((p) => p.message.includes("SQS"));
    expect(withoutOthers(namingProblems(config(letters(64))))).toEqual([]);
    expect(withoutOthers(namingProblems(config(`${letters(64)}x`)))).toEqual([
      {
        field: "environment",
        message: `makes the SQS queue name "ab-${letters(64)}x-requests-dlq" (81 characters), but SQS queue names are at most 80 characters`,
      },
    ]);
  });

  test("naming: 'internal-' and 'sg-' are refused only at the start of a name", () => {
    const named = (project: string, environment = "prod") =>
      namingProblems({ project, environment, region: "eu-west-1" });
    expect(named("internal")).toEqual([
      {
        field: "project",
        message: `makes the load balancer name "internal-prod-alb" (17 characters), but Elastic Load Balancing names must not begin with 'internal-'`,
      },
    ]);
    expect(named("sg")).toEqual([
      {
        field: "project",
        message: `makes the security group name "sg-prod-alb" (11 characters), but security group names must not begin with 'sg-'`,
      },
    ]);
    expect(named("my", "internal")).toEqual([]);
    expect(named("my", "sg")).toEqual([]);
    expect(named("internalx")).toEqual([]);
    expect(named("sgx")).toEqual([]);
  });

  test("naming: ECR repository names refuse '--' wherever it is, blaming the key that holds it", () => {
    expect(namingProblems({ project: "my--orders", environment: "prod", region: "eu-west-1" })).toEqual([
      {
        field: "project",
        message: `makes the ECR repository name "my--orders-prod/api" (19 characters), but ECR repository names separate lowercase letters and digits by single '.', '_', '-' or '/' (no '--')`,
      },
    ]);
    expect(namingProblems({ project: "orders", environment: "pr--7", region: "eu-west-1" })).toEqual([
      expect.objectContaining({ field: "environment", message: expect.stringContaining(`"orders-pr--7/api"`) }),
    ]);
    // single separators of each kind are fine
    expect(namingProblems({ project: "a.b_c-d", environment: "prod", region: "eu-west-1" })).toEqual([]);
  });
});

describe("naming: S3 bucket names (ALB access logs)", () => {
  const FORMAT = "expected an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'";
  const SEPARATORS = "expected an S3 bucket name (no '..', '.-', '-.', nor an IP address)";
  const RESERVED = "uses a prefix or suffix S3 reserves";

  test("naming: bucket names of exactly 3 and 63 characters pass; 2 and 64 fail", () => {
    expect(bucketNameProblem("abc")).toBeUndefined();
    expect(bucketNameProblem(letters(63))).toBeUndefined();
    expect(bucketNameProblem("ab")).toBe(FORMAT);
    expect(bucketNameProblem(letters(64))).toBe(FORMAT);
  });

  test.each([
    ["capitals", "Logs", FORMAT],
    ["a leading '-'", "-logs", FORMAT],
    ["a trailing '.'", "logs.", FORMAT],
    ["'..'", "a..b", SEPARATORS],
    ["'.-'", "a.-b", SEPARATORS],
    ["'-.'", "a-.b", SEPARATORS],
    ["an IP address", "192.168.5.4", SEPARATORS],
    ["an IP address with multi-digit parts", "192.168.50.40", SEPARATORS],
    ["the prefix xn--", "xn--logs", RESERVED],
    ["the prefix sthree-", "sthree-logs", RESERVED],
    ["the prefix amzn-s3-demo-", "amzn-s3-demo-logs", RESERVED],
    ["the suffix -s3alias", "logs-s3alias", RESERVED],
    ["the suffix --ol-s3", "logs--ol-s3", RESERVED],
    ["the suffix .mrap", "logs.mrap", RESERVED],
    ["the suffix --x-s3", "logs--x-s3", RESERVED],
    ["the suffix --table-s3", "logs--table-s3", RESERVED],
  ])("naming: a bucket name fails when it has %s", (_what, bucket, problem) => {
    expect(bucketNameProblem(bucket)).toBe(problem);
  });

  test.each(["a.b-c", "1.2.3", "192.168.5.4x", "a1.2.3.4", "my-xn--logs", "logs-s3aliasx", "sthree", "logs.mrapx"])(
    "naming: the bucket name %s passes (the rules are anchored where S3's are)",
    (bucket) => expect(bucketNameProblem(bucket)).toBeUndefined(),
  );
});

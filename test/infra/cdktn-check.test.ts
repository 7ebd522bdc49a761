/**
 * The logic of `npm run check:cdktn` (scripts/check-cdktn.ts), on small hand-made synths: the check itself installs
 * the fork from the registry and is not part of `npm test`. Each rule that can fail the check is seen failing here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { argumentFlags, awsTypes, bindingArguments, bindingModule } from "../../scripts/cdktn/bindings.js";
import { diffSynths, formatPath, MANIFEST, normalize, WHOLE, type Synth } from "../../scripts/cdktn/compare.js";
import { explain, parseExplanations, TABLE_MARKER, type Explanation } from "../../scripts/cdktn/explanations.js";
import { migratePackageJson, rewriteImports, type Target } from "../../scripts/cdktn/migrate.js";
import { DEFAULT_VARIANT, varFiles } from "../../scripts/cdktn/var-files.js";
import { parseConfig } from "../../config/load.js";
import { REPO_ROOT } from "../../kit/repo-root.js";

const TARGET: Target = {
  versions: { cdktn: "0.24.0", "cdktn-cli": "0.24.0", "@cdktn/provider-aws": "25.7.0", constructs: "10.7.2" },
  node: ">=22.19.0",
};

/** A two-stack synth in the shape cdktf writes, with `edit` applied to a copy. */
function synth(framework: string, provider: string, edit?: (stacks: Record<string, any>) => void): Synth {
  const stack = (id: string) => ({
    "//": { metadata: { backend: "local", stackName: id, version: framework }, outputs: {} },
    provider: { aws: [{ region: "eu-west-1", default_tags: [{ tags: { "managed-by": "cdktf" } }] }] },
    resource: {
      aws_sqs_queue: {
        queue_1A2B: {
          "//": { metadata: { path: `${id}/queue`, uniqueId: "queue_1A2B" } },
          name: "q",
          tags: { a: "1" },
        },
      },
    },
    data: { aws_vpc: { vpc: { id: "vpc-1" } } },
    output: { url: { value: "${aws_sqs_queue.queue_1A2B.url}" } },
    terraform: { required_providers: { aws: { source: "aws", version: provider } }, backend: { local: { path: "x" } } },
  });
  const stacks: Record<string, any> = { ecr: stack("ecr"), main: stack("main") };
  edit?.(stacks);
  return {
    manifest: { version: framework, stacks: { ecr: { dependencies: [] }, main: { dependencies: ["ecr"] } } },
    stacks,
  };
}

const row = (fields: Partial<Explanation>): Explanation => ({
  stack: "main",
  address: "aws_sqs_queue.queue_1A2B",
  attribute: "name",
  source: "provider",
  before: '"q"',
  after: '"r"',
  reason: "why",
  line: 1,
  ...fields,
});

describe("check:cdktn, imports", () => {
  it("rewrites cdktf and deep @cdktf/provider-aws specifiers, in every import form, and nothing else", () => {
    const source = [
      'import { App } from "cdktf";',
      "import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';",
      'import type { Construct } from "constructs";',
      'export { Fn } from "cdktf";',
      'const lazy = await import("@cdktf/provider-aws/lib/lb");',
      'const x = require("cdktf");',
      'import "cdktf-helpers";',
      'const text = "cdktf deploy";',
    ].join("\n");
    const { text, rewritten, left } = rewriteImports(source);
    expect(text.split("\n")).toEqual([
      'import { App } from "cdktn";',
      "import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';",
      'import type { Construct } from "constructs";',
      'export { Fn } from "cdktn";',
      'const lazy = await import("@cdktn/provider-aws/lib/lb");',
      'const x = require("cdktn");',
      'import "cdktf-helpers";',
      'const text = "cdktf deploy";',
    ]);
    expect(rewritten).toBe(5);
    expect(left).toEqual([]);
  });

  it("reports a CDKTF package the fork does not rename", () => {
    expect(rewriteImports('import { x } from "@cdktf/provider-random/lib/id";').left).toEqual([
      "@cdktf/provider-random/lib/id",
    ]);
  });

  it("leaves no CDKTF import in the app's stacks", () => {
    for (const file of [
      "stacks/app.ts",
      "foundation/base-stack.ts",
      "stacks/network/network.ts",
      "stacks/apis/rest-api-stage.ts",
      "ecr/ecr-stack.ts",
    ]) {
      const { text, rewritten, left } = rewriteImports(readFileSync(join(REPO_ROOT, file), "utf8"));
      expect(rewritten, file).toBeGreaterThan(0);
      expect(left, file).toEqual([]);
      expect(text, file).not.toMatch(/from "(cdktf|@cdktf\/)/);
    }
  });
});

describe("check:cdktn, package.json", () => {
  it("swaps the packages, pins the fork releases, renames the CLI in scripts but not cdktf.json or cdktf.out", () => {
    const original = {
      dependencies: { cdktf: "0.21.0", "@cdktf/provider-aws": "21.22.1", constructs: "10.8.1", zod: "4.6.7" },
      devDependencies: { "cdktf-cli": "0.21.0" },
      scripts: {
        synth: "node tools/synth.mjs",
        deploy: "CHECKPOINT_DISABLE=1 cdktf deploy ecr",
        out: "rm -rf cdktf.out && cat cdktf.json",
      },
      engines: { node: ">=20.19 <23" },
    };
    const { pkg, changes } = migratePackageJson(original, TARGET);
    expect(pkg.dependencies).toEqual({
      "@cdktn/provider-aws": "25.7.0",
      cdktn: "0.24.0",
      constructs: "10.7.2",
      zod: "4.6.7",
    });
    expect(pkg.devDependencies).toEqual({ "cdktn-cli": "0.24.0" });
    expect(pkg.scripts).toEqual({ ...original.scripts, deploy: "CHECKPOINT_DISABLE=1 cdktn deploy ecr" });
    expect(pkg.engines).toEqual({ node: ">=22.19.0" });
    expect(changes).toHaveLength(6);
    expect(original.dependencies.cdktf).toBe("0.21.0"); // the input is not modified
  });
});

describe("check:cdktn, var files", () => {
  it("are valid configs: the example as it ships, and one with every option on", () => {
    const example = JSON.parse(readFileSync(join(REPO_ROOT, "terraform.tfvars.json"), "utf8"));
    const variants = varFiles(example);
    expect(variants[DEFAULT_VARIANT]).toBe(example);
    const all = parseConfig(variants["all-options"], "all-options");
    expect(all.state_backend).toMatchObject({ type: "s3", use_lockfile: true });
    for (const option of [
      "ingest_api_domain",
      "query_api_domain",
      "quota_per_day",
      "log_kms_key_arn",
      "table_ttl_attribute",
      "waf_web_acl_arn",
      "alarm_topic_arn",
      "alb_access_logs_bucket",
    ] as const) {
      expect(all[option], option).not.toBeNull();
    }
  });
});

describe("check:cdktn, comparison", () => {
  it("normalizes only the version stamps and the provider version constraint, and reports what it removed", () => {
    const { before, after, normalized } = normalize(synth("0.21.0", "6.25.0"), synth("0.24.0", "6.66.0"));
    expect(diffSynths(before, after)).toEqual([]);
    expect(normalized).toEqual(
      expect.arrayContaining([
        { stack: MANIFEST, address: MANIFEST, attribute: "version", before: "0.21.0", after: "0.24.0" },
        { stack: "main", address: "//", attribute: "metadata.version", before: "0.21.0", after: "0.24.0" },
        {
          stack: "ecr",
          address: "terraform",
          attribute: "required_providers.aws.version",
          before: "6.25.0",
          after: "6.66.0",
        },
      ]),
    );
    expect(normalized).toHaveLength(5);
  });

  it("names each changed value by stack, address and attribute path", () => {
    const after = synth("0.21.0", "6.25.0", (stacks) => {
      stacks.main.resource.aws_sqs_queue.queue_1A2B.name = "r";
      stacks.main.provider.aws[0].default_tags[0].tags["managed-by"] = "cdktn";
      stacks.ecr.terraform.required_providers.aws.source = "hashicorp/aws";
      stacks.ecr.data.aws_vpc.vpc.filter = [{ name: "tag:tier" }];
    });
    expect(diffSynths(synth("0.21.0", "6.25.0"), after)).toEqual([
      {
        stack: "ecr",
        address: "data.aws_vpc.vpc",
        attribute: "filter",
        before: undefined,
        after: [{ name: "tag:tier" }],
      },
      {
        stack: "ecr",
        address: "terraform",
        attribute: "required_providers.aws.source",
        before: "aws",
        after: "hashicorp/aws",
      },
      { stack: "main", address: "aws_sqs_queue.queue_1A2B", attribute: "name", before: "q", after: "r" },
      {
        stack: "main",
        address: "provider.aws",
        attribute: 'default_tags[0].tags["managed-by"]',
        before: "cdktf",
        after: "cdktn",
      },
    ]);
  });

  it("reports a renamed logical id as one address gone and one new, whole", () => {
    const after = synth("0.21.0", "6.25.0", (stacks) => {
      const queues = stacks.main.resource.aws_sqs_queue;
      queues.queue_9Z9Z = queues.queue_1A2B;
      delete queues.queue_1A2B;
    });
    const differences = diffSynths(synth("0.21.0", "6.25.0"), after);
    expect(differences.map((d) => [d.address, d.attribute, d.before === undefined, d.after === undefined])).toEqual([
      ["aws_sqs_queue.queue_1A2B", WHOLE, false, true],
      ["aws_sqs_queue.queue_9Z9Z", WHOLE, true, false],
    ]);
  });

  it("formats paths with indices and quoted keys", () => {
    expect(formatPath(["default_tags", 0, "tags", "managed-by"])).toBe('default_tags[0].tags["managed-by"]');
    expect(formatPath(["//", "metadata", "path"])).toBe("//.metadata.path");
    expect(formatPath([])).toBe(WHOLE);
  });
});

describe("check:cdktn, provider schema", () => {
  it("reads argument names from a generated binding and maps types to binding modules", () => {
    const text = [
      "  return {",
      "    name: cdktf.stringToTerraform(this._name),",
      "    redrive_policy: cdktn.stringToTerraform(this._redrivePolicy),",
      "    timeouts: sqsQueueTimeoutsToTerraform(this._timeouts.internalValue),",
      "    not_an_argument: 1,",
      "  };",
    ].join("\n");
    expect([...bindingArguments(text)]).toEqual(["name", "redrive_policy", "timeouts"]);
    const getters = [
      "    // name - computed: false, optional: false, required: true",
      "    // name_prefix - computed: true, optional: true, required: false",
      "    // timeout - computed: false, optional: true, required: false",
      "    // arn - computed: true, optional: false, required: false",
      "    // name - computed: true, optional: true, required: false",
    ].join("\n");
    expect(Object.fromEntries(argumentFlags(getters))).toEqual({
      name: "required",
      name_prefix: "optional+computed",
      timeout: "optional",
      arn: "computed",
    });
    expect(bindingModule("aws_sqs_queue")).toBe("sqs-queue");
    expect(bindingModule("data.aws_caller_identity")).toBe("data-aws-caller-identity");
    expect(awsTypes(synth("0.21.0", "6.25.0").stacks.main!)).toEqual(["aws_sqs_queue", "data.aws_vpc"]);
  });
});

describe("check:cdktn, explanations in docs/CDKTN.md", () => {
  const difference = { stack: "main", address: "aws_sqs_queue.queue_1A2B", attribute: "name", before: "q", after: "r" };

  it("fails on a difference without a row", () => {
    const { unexplained } = explain({ provider: [difference] }, []);
    expect(unexplained).toHaveLength(1);
  });

  it("passes a difference whose row names its source, stack, address, attribute and both values", () => {
    const { unexplained, stale, checked } = explain({ provider: [difference] }, [row({})]);
    expect(unexplained).toEqual([]);
    expect(stale).toEqual([]);
    expect(checked[0]?.explanation?.reason).toBe("why");
  });

  it("does not take a row for another source, stack, attribute or value; `*` matches any value", () => {
    for (const wrong of [{ source: "framework" as const }, { stack: "ecr" }, { attribute: "tags" }, { after: '"s"' }]) {
      const { unexplained, stale } = explain({ provider: [difference] }, [row(wrong)]);
      expect(unexplained, JSON.stringify(wrong)).toHaveLength(1);
      expect(stale, JSON.stringify(wrong)).toHaveLength(1);
    }
    expect(explain({ provider: [difference] }, [row({ before: "*", after: "*" })]).unexplained).toEqual([]);
  });

  it("reports a row that explains no difference as stale", () => {
    expect(explain({}, [row({})]).stale).toHaveLength(1);
  });

  const table = (...rows: string[]) =>
    [
      "# x",
      "",
      TABLE_MARKER,
      "| Stack | Address | Attribute | Source | Before | After | Reason |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
      "",
      "after",
    ].join("\n");

  it("parses rows, with code spans and escaped pipes, and their line numbers", () => {
    const { explanations, errors } = parseExplanations(
      table(
        '| `main` | `aws_sqs_queue.queue_1A2B` | `name` | provider | `"q"` | `"a\\|b"` | the bindings **changed** it |',
      ),
    );
    expect(errors).toEqual([]);
    expect(explanations).toEqual([row({ after: '"a|b"', reason: "the bindings **changed** it", line: 6 })]);
  });

  it("reports a missing marker, a missing column, an unknown source and an empty cell", () => {
    expect(parseExplanations("# no table").errors[0]).toMatch(/no line/);
    expect(parseExplanations(`${TABLE_MARKER}\n| Stack | Address |\n| --- | --- |`).errors[0]).toMatch(
      /missing: attribute, source/,
    );
    expect(parseExplanations(table("| main | a | b | hcl | 1 | 2 | r |")).errors[0]).toMatch(/line 6: source "hcl"/);
    expect(parseExplanations(table("| main | a | b | cli | 1 | 2 |  |")).errors[0]).toMatch(/line 6: empty reason/);
  });

  it("docs/CDKTN.md itself parses, every row with a reason", () => {
    const { explanations, errors } = parseExplanations(readFileSync(join(REPO_ROOT, "docs", "CDKTN.md"), "utf8"));
    expect(errors).toEqual([]);
    expect(explanations.length).toBeGreaterThan(0);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, test } from "vitest";
import { BARREL, toBarrelImports } from "../../bench/barrel-imports.js";
import { REPO_ROOT } from "../../kit/repo-root.js";

/** bench:synth compares the app with a copy whose provider imports go through the barrel: that copy must compile. */
describe("bench:synth's barrel variant", () => {
  test("bench: the barrel is the provider package's root", () =>
    expect(BARREL).toBe(["@cdktf", "provider-aws"].join("/")));

  const stackFiles = readdirSync(join(REPO_ROOT, "stacks")).filter((name) => name.endsWith(".ts"));

  test.each(stackFiles)(
    "bench: stacks/%s, rewritten to barrel imports, compiles with no deep provider import left",
    (name) => {
      const rewritten = toBarrelImports(readFileSync(join(REPO_ROOT, "stacks", name), "utf8"));
      // What runs is the compiled JavaScript: type-only imports vanish there, every value import must be the barrel's.
      const { code } = transformSync(rewritten, { loader: "ts", format: "esm" });
      expect(code).not.toMatch(/@cdktf\/provider-aws\/lib\//);
    },
  );

  test("bench: a multi-line import with a type-only name becomes a destructuring and a type alias", () => {
    const source = [
      "import {",
      "  CloudwatchMetricAlarm,",
      "  type CloudwatchMetricAlarmMetricQuery,",
      '} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";',
    ].join("\n");
    expect(toBarrelImports(source).split("\n")).toEqual([
      `import { cloudwatchMetricAlarm as barrel_cloudwatchMetricAlarm } from "${BARREL}";`,
      "const { CloudwatchMetricAlarm } = barrel_cloudwatchMetricAlarm;",
      "type CloudwatchMetricAlarmMetricQuery = barrel_cloudwatchMetricAlarm.CloudwatchMetricAlarmMetricQuery;",
    ]);
  });
});

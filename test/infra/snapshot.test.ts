import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthApp } from "../support/synth.js";

describe("synth output", () => {
  const first = synthApp();

  // A snapshot update is a reviewed change: read the diff before accepting it (`npx vitest -u`).
  test("snapshot: ecr stack", () => {
    expect(first.ecr).toMatchSnapshot();
  });

  test("snapshot: main stack", () => {
    expect(first.main).toMatchSnapshot();
  });

  test("determinism: two synths are byte-identical and hold no absolute path, temp dir or user name", () => {
    const second = synthApp();
    expect(second.files).toEqual(first.files);
    for (const text of Object.values(first.files)) {
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain(first.outdir);
      expect(text).not.toMatch(/"\/(home|root|tmp|Users|work)\//);
    }
  });

  test("entry point: npm run synth writes exactly the tested output, with one summary line per stack, without Terraform", () => {
    const outdir = mkdtempSync(join(tmpdir(), "npm-synth-"));
    // A PATH holding only node: synth must not need a terraform binary (or anything else) on the machine.
    const bin = join(outdir, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    try {
      const run = spawnSync(process.execPath, ["tools/synth.mjs"], {
        cwd: join(import.meta.dirname, "../.."),
        env: { ...process.env, CDKTF_OUTDIR: join(outdir, "out"), PATH: bin, TFVARS_FILE: "" },
        encoding: "utf8",
      });
      // stderr holds only the var file it read (stdout stays the summary).
      expect(run.stderr).toBe("npm run synth: var file: terraform.tfvars.json (the default)\n");
      expect(run.stdout.trim().split("\n")).toEqual([
        expect.stringMatching(/^ecr: \d+ resources, 0 data sources, \d+ outputs -> .*stacks\/ecr\/cdk\.tf\.json$/),
        expect.stringMatching(
          /^main: \d+ resources, \d+ data sources, \d+ outputs, after ecr -> .*stacks\/main\/cdk\.tf\.json$/,
        ),
      ]);
      for (const stack of ["ecr", "main"] as const) {
        expect(readFileSync(join(outdir, "out", "stacks", stack, "cdk.tf.json"), "utf8")).toBe(first.files[stack]);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

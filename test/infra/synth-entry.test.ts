import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleConfigInput } from "../support/synth.js";

/**
 * The real entry point (`npm run synth`) in a subprocess: what a user sees for a bad var file. Kept apart from
 * config.test.ts, whose in-process tests are the ones mutation testing runs (it cannot see into a subprocess).
 */
describe("config: npm run synth with a bad file", () => {
  test("entry point: cdktf.json's app and npm run synth run the same command, so both write the same output", () => {
    const root = join(import.meta.dirname, "../..");
    const cdktfJson = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8"));
    const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(cdktfJson.app).toBe(packageJson.scripts.synth);
    expect(cdktfJson.app).toBe("node tools/synth.mjs");
  });

  test("config: fails when the file is invalid, lists the problems and writes nothing to cdktf.out", () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-config-"));
    const file = join(dir, "terraform.tfvars.json");
    writeFileSync(file, JSON.stringify({ ...exampleConfigInput(), vpc_id: "nope", services: {} }));
    const run = runSynth(file, join(dir, "cdktf.out"));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("is invalid (3 problems)");
    expect(run.stderr).toMatch(/vpc_id: expected a VPC id .*\(got "nope"\)/);
    expect(run.stderr).toContain("services.api: is required");
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
  });

  test("entry point: the synth bundle is per checkout, so checkouts sharing node_modules never run each other's code", async () => {
    const { bundleFile } = await import("../../tools/bundle-file.mjs");
    const root = join(import.meta.dirname, "../..");
    const here = bundleFile(root, join(root, "main.ts"));
    expect(bundleFile("/elsewhere/checkout", "/elsewhere/checkout/main.ts")).not.toBe(
      here.replace(root, "/elsewhere/checkout"),
    );
    const dir = mkdtempSync(join(tmpdir(), "bundle-"));
    expect(runSynth(join(root, "terraform.tfvars.json"), join(dir, "cdktf.out")).status).toBe(0);
    expect(existsSync(here)).toBe(true);
  });

  test("config: fails when the file is not JSON, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-json-"));
    const file = join(dir, "terraform.tfvars.json");
    writeFileSync(file, "{ not json");
    const run = runSynth(file, join(dir, "cdktf.out"));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file} is invalid (1 problem):\n  - is not valid JSON`);
  });
});

/** Runs the real entry point (`npm run synth`) from the repository root with another var file and output dir. */
function runSynth(tfvarsFile: string, outdir: string) {
  const root = join(import.meta.dirname, "../..");
  return spawnSync(process.execPath, ["tools/synth.mjs"], {
    cwd: root,
    env: { ...process.env, TFVARS_FILE: tfvarsFile, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
}

import { describe, expect, test } from "vitest";
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
});

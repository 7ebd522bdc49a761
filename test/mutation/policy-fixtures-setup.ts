import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePolicyFixtures } from "../support/policy-fixtures.js";

/** vitest global setup for `npm run mutation`'s policy module: one synth of the policy fixtures for the whole run. */
export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "policy-fixtures-"));
  const file = join(dir, "fixtures.json");
  await writePolicyFixtures(file);
  process.env.POLICY_FIXTURES_FILE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * The users' main commands (`cdktf synth`, `cdktf diff`, `cdktf deploy`) on the Node releases they run: the one in
 * `.nvmrc` and the newest LTS. The cdktf CLI loads node-pty, whose native addon must load on that Node's ABI: the
 * project replaces `@cdktf/node-pty-prebuilt-multiarch` (prebuilds up to Node 22) with an N-API build through an npm
 * override (package.json). Each Node is fetched from the npm registry (tools/fetch-node.mjs).
 *
 * The commands run in a scratch copy of the checkout (sharing node_modules), so their synth bundle and output never
 * race with other test files synthesizing in this checkout.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { IMAGE_NODE_VERSION, pathWithNode } from "../../kit/image-node.js";
import { fetchNode } from "../../tools/fetch-node.mjs";
import { scratchCheckout } from "../support/scratch-checkout.js";

/** `.nvmrc`'s release (development, CI, the images) and the active LTS, on which users may run the CLI too. */
const CLI_NODE_VERSIONS = [IMAGE_NODE_VERSION, "26.12.1"];
const ON_LINUX_X64 = process.platform === "linux" && process.arch === "x64";
const HAS_TERRAFORM = spawnSync("terraform", ["version"]).status === 0;

let checkout: string;
let npmSynthOut: string;

beforeAll(() => {
  checkout = scratchCheckout();
  npmSynthOut = join(checkout, "npm-synth.out");
  const npm = spawnSync("npm", ["run", "synth"], {
    cwd: checkout,
    env: { ...process.env, CDKTF_OUTDIR: npmSynthOut },
    encoding: "utf8",
  });
  expect(npm.status, npm.stderr).toBe(0);
}, 180_000);

afterAll(() => rmSync(checkout, { recursive: true, force: true }));

describe.runIf(ON_LINUX_X64).each(CLI_NODE_VERSIONS)("cdktf CLI on Node %s", (version) => {
  let node: string;

  beforeAll(async () => {
    const fetched = await fetchNode(version);
    if ("unavailable" in fetched) throw new Error(fetched.unavailable);
    node = fetched.path;
  }, 300_000);

  test("cdktf synth writes byte for byte what npm run synth writes", () => {
    const out = join(checkout, `cli-synth-${version}.out`);
    const run = cdktf(node, ["synth", "--output", out]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain("Generated Terraform code for the stacks: ecr, main");
    const expected = filesUnder(npmSynthOut);
    expect(Object.keys(expected)).toContain(join("stacks", "main", "cdk.tf.json"));
    expect(filesUnder(out)).toEqual(expected);
  });

  test.runIf(HAS_TERRAFORM).each(["diff", "deploy"])(
    "cdktf %s starts Terraform through the pty (offline, it stops where the provider cannot be installed)",
    (command) => {
      const run = cdktf(node, [command, "ecr", "--output", join(checkout, `cli-${command}-${version}.out`)], {
        TF_CLI_CONFIG_FILE: offlineCliConfig(),
      });
      expect(run.output).not.toContain("Cannot find module");
      expect(run.output).toContain("Initializing the backend...");
      expect(run.output).toContain('Finding hashicorp/aws versions matching "');
      expect(run.status).not.toBe(0);
    },
  );
});

/** Runs the checkout's cdktf CLI on `node`, with that node first on PATH (the app command is `node tools/synth.mjs`). */
function cdktf(node: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(node, ["node_modules/cdktf-cli/bundle/bin/cdktf", ...args], {
    cwd: checkout,
    env: { ...process.env, ...env, PATH: pathWithNode(node), CHECKPOINT_DISABLE: "1", CI: "1" },
    encoding: "utf8",
    timeout: 240_000,
  });
  // The CLI draws spinners with ANSI escapes even without a TTY.
  const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
  return { status: run.status, output };
}

/** A Terraform CLI config whose only provider source is an empty local mirror: `init` fails without the network. */
function offlineCliConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), "tf-offline-"));
  mkdirSync(join(dir, "mirror"));
  const file = join(dir, "cli.tfrc");
  writeFileSync(file, `provider_installation {\n  filesystem_mirror {\n    path = "${join(dir, "mirror")}"\n  }\n}\n`);
  return file;
}

/** Every file under `dir`, by relative path, with the SHA-256 of its bytes. */
function filesUnder(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [relative(dir, path), createHash("sha256").update(readFileSync(path)).digest("hex")];
      }),
  );
}

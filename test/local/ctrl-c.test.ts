/**
 * `npm run local` in a real pseudo-terminal (util-linux `script`), stopped with one Ctrl-C as a person would: the
 * terminal sends SIGINT to the whole process group, and the npm and tsx wrappers relay it too. One keypress must
 * give a clean stop, not the "second signal" fast exit.
 */
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { pathWithNode, serviceNodePath } from "../../kit/image-node.js";
import { REPO_ROOT } from "../../kit/repo-root.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;
if (!hasScript) console.warn("SKIPPED the Ctrl-C test: no util-linux `script` on PATH to make a pseudo-terminal");

describe.skipIf(!hasScript)("npm run local: Ctrl-C in a terminal", () => {
  it("local: one Ctrl-C stops gateways, services and emulators cleanly", async () => {
    // Any free ports, so a developer's own `npm run local` on the default ports does not collide.
    const child = spawn("script", ["-qfec", "npm run local -- --ingest-port 0 --query-port 0", "/dev/null"], {
      cwd: REPO_ROOT,
      // On the images' Node (first on PATH): npm, the local run and the service processes it spawns.
      env: { ...process.env, TERM: "dumb", PATH: pathWithNode(serviceNodePath(inject("imageNode"))) },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitForOutput(() => output, "Ctrl-C stops everything.", 180_000, exited);
      child.stdin.write("\x03"); // what the Ctrl-C key sends; the terminal turns it into SIGINT for the group
      const code = await Promise.race([
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve("timeout"), 120_000)),
      ]);
      expect(output).toContain("SIGINT: stopping gateways, services and emulators...");
      expect(output, output.slice(-2500)).not.toContain("Second signal");
      expect(output).toContain("Stopped.");
      // 130 is what npm (itself interrupted) reports for a Ctrl-C'd script, as shells do; anything else is a failure.
      expect([0, 130], output.slice(-3000)).toContain(code);
    } finally {
      child.kill("SIGKILL");
    }
  }, 330_000);
});

async function waitForOutput(
  read: () => string,
  text: string,
  timeoutMs: number,
  exited: Promise<unknown>,
): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (done) throw new Error(`npm run local exited before "${text}":\n${read().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" after ${timeoutMs} ms:\n${read().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

import { spawn } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { pathWithNode, serviceNodePath } from "../../../kit/image-node.js";

/** The environment of this test process without any variable the service reads. */
function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    "PORT",
    "TABLE_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "LOG_LEVEL",
    "SHUTDOWN_TIMEOUT_SECONDS",
  ]) {
    delete env[key];
  }
  // On the images' Node: its directory first on PATH, so npm and the script's tsx run on it.
  return { ...env, PATH: pathWithNode(serviceNodePath(inject("imageNode"))), ...overrides };
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("npm run start:api: environment validation at start-up", () => {
  it("start:api: exits non-zero before listening, naming every missing or bad variable", async () => {
    const { code, stderr } = await run(
      "npm",
      ["run", "--silent", "start:api"],
      cleanEnv({ PORT: "eighty", LOG_LEVEL: "chatty" }),
    );
    expect(code).not.toBe(0);
    expect(stderr).toContain("Invalid environment configuration");
    for (const name of ["PORT", "TABLE_NAME", "AWS_REGION", "LOG_LEVEL"])
      expect(stderr).toMatch(new RegExp(`^  - ${name}: `, "m"));
    // A config error is a message for an operator, not a crash: no stack trace.
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

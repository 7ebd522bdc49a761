/** The two servers bench:api compares, bundled the way the images are and started as child processes. */
import { execFile, spawn } from "node:child_process";
import { open, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { TEST_CREDENTIALS_ENV } from "../../kit/emulator-fixtures.js";
import { imageNodeOptions } from "../../kit/image-node.js";
import { REPO_ROOT as ROOT } from "../../kit/repo-root.js";
import { TABLE } from "./seed.js";

/**
 * Starts a bundled server (the api, or the peer) on `node` (the images' Node) with the image's settings; its stdout
 * goes to `logFile`. `env` adds to the image's environment (the tracing overhead rounds' sample rates).
 */
export async function startServer(
  node: string,
  bundle: string,
  dynamoEndpoint: string,
  port: number,
  logFile: string,
  env: Readonly<Record<string, string>> = {},
) {
  const out = await open(logFile, "w");
  const child = spawn(node, [bundle], {
    cwd: resolve(bundle, ".."),
    stdio: ["ignore", out.fd, "inherit"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      NODE_NO_WARNINGS: "1",
      NODE_OPTIONS: await imageNodeOptions("api"),
      PORT: String(port),
      TABLE_NAME: TABLE,
      ...TEST_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      ...env,
    },
  });
  await out.close();
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${bundle} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (attempt > 100) throw new Error(`${bundle} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url, logBytes: async () => (await stat(logFile)).size };
}

export async function buildBundles(dir: string) {
  const apiBundle = join(dir, "api", "dist", "main.js");
  await promisify(execFile)(process.execPath, ["apps/shared/bundle.mjs", "api", apiBundle], { cwd: ROOT });
  const peerBundle = join(dir, "peer", "dist", "main.js");
  await build({
    entryPoints: [join(ROOT, "bench", "peer-bare-express.ts")],
    outfile: peerBundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
  });
  return { apiBundle, peerBundle };
}

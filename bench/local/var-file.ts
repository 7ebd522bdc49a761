/**
 * The var file bench:local runs `npm run local` with: the example's (terraform.tfvars.json, so the default `iam`
 * mode and its resource policy stay in the path) with one client and limits sized for the bench's load. The
 * example's clients (60 and 40 requests/s) and method throttle (100/s) would answer most of 100 POSTs/s plus their
 * GET polls with 429, and the bench would measure the throttle instead of the pipeline.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/repo-root.js";

/**
 * Requests/s for each method and for the bench's client: far above the offered POSTs plus the GETs that poll every
 * accepted item until readable (a few per item at BENCH_POLL_MS 10, more when the machine is slow), and, for the three
 * methods together, within the account's 10,000/s.
 */
export const BENCH_LIMIT = 3_000;

/** The bench's only client: one API key for both APIs, as a load generator of one client would have. */
export const BENCH_CLIENT = "bench";

/** Writes `.local/bench.tfvars.json` and returns its path. */
export async function writeBenchVarFile(): Promise<string> {
  const example = JSON.parse(await readFile(join(REPO_ROOT, "terraform.tfvars.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const config = {
    ...example,
    throttle_rate_limit: BENCH_LIMIT,
    throttle_burst_limit: BENCH_LIMIT,
    throttle_above_capacity_reason:
      "npm run bench:local measures the local pipeline; the limits must not answer its load with 429",
    clients: [{ name: BENCH_CLIENT, rate_limit: BENCH_LIMIT, burst_limit: BENCH_LIMIT, apis: ["ingest", "query"] }],
  };
  const dir = join(REPO_ROOT, ".local");
  await mkdir(dir, { recursive: true });
  const path = join(dir, "bench.tfvars.json");
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

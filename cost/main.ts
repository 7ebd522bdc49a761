/**
 * `npm run cost -- --rps N --payload-bytes N --reads-per-request N [--json] [--config terraform.tfvars.json]`
 *
 * The monthly AWS bill for a traffic profile: the stack synthesized in-process from the config (no CLI, no network),
 * the measured figures in docs/cost-inputs.json (rewritten by the benches) and the price table in cost/prices.json.
 * Deterministic: the same inputs print the same bill.
 */
import { readFileSync } from "node:fs";
import { loadDeployConfig } from "../config/load.js";
import { synthesizeToJson } from "../stacks/synthesize.js";
import { computeBill, type Bill, type CostInputs, type Profile } from "./bill.js";
import { infraFromSynth } from "./infra.js";
import { itemOverheadBytes } from "./payload.js";
import { loadPrices } from "./prices.js";

export const COST_INPUTS_FILE = new URL("../docs/cost-inputs.json", import.meta.url);

const FLAGS = {
  "--rps": { key: "rps", min: 0, max: 100_000, integer: false },
  "--payload-bytes": { key: "payloadBytes", min: 2, max: 262_144, integer: true },
  "--reads-per-request": { key: "readsPerRequest", min: 0, max: 1_000, integer: false },
  // Optional: by default each client reads until it finds its result (cost/dynamodb-line.ts, defaultHitShare).
  "--hit-share": { key: "hitShare", min: 0, max: 1, integer: false, optional: true },
} as const;

export interface CliOptions {
  readonly profile: Profile;
  readonly json: boolean;
  readonly configFile: string;
}

/** Parses the command line; every problem is reported at once, naming the flag, the value and what was expected. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const problems: string[] = [];
  const values: Partial<Record<keyof Profile, number>> = {};
  let json = false;
  let configFile = "terraform.tfvars.json";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag === "--json") {
      json = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (flag === "--config") {
      if (!raw) problems.push("--config: expected a file path");
      else configFile = raw;
      continue;
    }
    const spec = FLAGS[flag as keyof typeof FLAGS];
    if (!spec) {
      problems.push(`${flag}: unknown option (expected ${Object.keys(FLAGS).join(", ")}, --json, --config)`);
      continue;
    }
    const value = Number(raw);
    if (
      raw === undefined ||
      raw.trim() === "" ||
      !Number.isFinite(value) ||
      value < spec.min ||
      value > spec.max ||
      (spec.integer && !Number.isInteger(value))
    ) {
      problems.push(
        `${flag}: got ${JSON.stringify(raw ?? null)}, expected ${spec.integer ? "a whole number" : "a number"} from ${spec.min} to ${spec.max}`,
      );
      continue;
    }
    values[spec.key] = value;
  }
  for (const [flag, spec] of Object.entries(FLAGS))
    if (!("optional" in spec) && values[spec.key] === undefined && !problems.some((p) => p.startsWith(flag)))
      problems.push(`${flag}: required`);
  if (problems.length > 0) throw new UsageError(problems);
  return { profile: values as Profile, json, configFile };
}

export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `npm run cost: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}\nusage: npm run cost -- --rps 10 --payload-bytes 768 --reads-per-request 1 [--hit-share 0-1] [--json] [--config terraform.tfvars.json]`,
    );
  }
}

/** docs/cost-inputs.json, checked: a missing figure names its field and the bench that writes it. */
export function loadCostInputs(file: URL = COST_INPUTS_FILE): CostInputs {
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown> | undefined>;
  const problems: string[] = [];
  const take = (section: "processor" | "api", field: string): number => {
    const value = raw[section]?.[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      problems.push(
        `${section}.${field}: got ${JSON.stringify(value ?? null)}, expected a number >= 0 (npm run bench:${section} writes it)`,
      );
      return Number.NaN;
    }
    return value;
  };
  const inputs: CostInputs = {
    processor: {
      cpuMsPerMessage: take("processor", "cpuMsPerMessage"),
      sqsRequestsPerMessage: take("processor", "sqsRequestsPerMessage"),
      logBytesPerMessage: take("processor", "logBytesPerMessage"),
    },
    api: {
      cpuMsPerRequest: take("api", "cpuMsPerRequest"),
      logBytesPerRequest: take("api", "logBytesPerRequest"),
      responseBytesPerRequest: take("api", "responseBytesPerRequest"),
    },
    itemOverheadBytes: itemOverheadBytes(),
  };
  if (problems.length > 0) throw new Error(`docs/cost-inputs.json:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return inputs;
}

export function billFor(options: CliOptions): Bill {
  const main = synthesizeToJson(loadDeployConfig(options.configFile)).main;
  return computeBill(options.profile, loadCostInputs(), infraFromSynth(main), loadPrices());
}

export function formatBill(bill: Bill): string {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const rows = [
    ["component", "fixed /month", "with traffic /month", "detail"],
    ...bill.lines.map((l) => [l.component, usd(l.fixedUsd), usd(l.perRequestUsd), l.detail]),
    ["total", usd(bill.fixedUsd), usd(bill.perRequestUsd), `${usd(bill.totalUsd)} per month`],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const { rps, payloadBytes, readsPerRequest } = bill.profile;
  return [
    `Monthly bill, ${bill.region}, ${rps} req/s, ${payloadBytes}-byte payloads, ${readsPerRequest} GET(s) per request (prices as of ${bill.pricesRead}, cost/prices.json)`,
    ...rows.map(
      (r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padStart(widths[2]!)}  ${r[3]}`,
    ),
    ...bill.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}

/** The bill as a Markdown table (docs/COST.md's profiles are generated with it: npm run docs). */
export function billMarkdown(bill: Bill): string {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  return [
    "| component | fixed /month | with traffic /month | detail |",
    "| --- | --- | --- | --- |",
    ...bill.lines.map((l) => `| ${l.component} | ${usd(l.fixedUsd)} | ${usd(l.perRequestUsd)} | ${l.detail} |`),
    `| **total** | **${usd(bill.fixedUsd)}** | **${usd(bill.perRequestUsd)}** | **${usd(bill.totalUsd)} per month** |`,
    ...bill.warnings.map((w) => `\n\`warning: ${w}\``),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const bill = billFor(options);
    process.stdout.write(`${options.json ? JSON.stringify(bill, null, 2) : formatBill(bill)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}

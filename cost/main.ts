/**
 * `npm run cost -- --rps N --payload-bytes N --reads-per-request N [--hit-share 0-1] [--json] [--var-file FILE]`
 *
 * The monthly AWS bill for a traffic profile: the stack synthesized in-process from the config (no CLI, no network),
 * the measured figures in docs/cost-inputs.json (rewritten by the benches) and the price table in cost/prices.json.
 * Deterministic: the same inputs print the same bill.
 */
import { readFileSync } from "node:fs";
import { loadDeployConfig, loadDeployConfigOrExit } from "../config/load.js";
import { commandLineOrExit, usage, type CommandLine, type CommandSpec } from "../kit/cli.js";
import { synthesizeToJson } from "../stacks/synthesize.js";
import { computeBill, type Bill, type CostInputs, type Profile } from "./bill.js";
import { infraFromSynth } from "./infra.js";
import { itemOverheadBytes } from "./payload.js";
import { loadPrices } from "./prices.js";

export const COST_INPUTS_FILE = new URL("../docs/cost-inputs.json", import.meta.url);

const FLAGS = {
  rps: { key: "rps", min: 0, max: 100_000, integer: false },
  "payload-bytes": { key: "payloadBytes", min: 2, max: 262_144, integer: true },
  "reads-per-request": { key: "readsPerRequest", min: 0, max: 1_000, integer: false },
  // Optional: by default each client reads until it finds its result (cost/dynamodb-line.ts, defaultHitShare).
  "hit-share": { key: "hitShare", min: 0, max: 1, integer: false, optional: true },
} as const;

export const COST_COMMAND: CommandSpec = {
  command: "npm run cost",
  summary: "The monthly AWS bill of the stack synthesized from the var file, for one traffic profile (docs/COST.md).",
  varFile: true,
  options: {
    rps: { type: "string" },
    "payload-bytes": { type: "string" },
    "reads-per-request": { type: "string" },
    "hit-share": { type: "string" },
    json: { type: "boolean" },
  },
  optionLines: [
    ["--rps <n>", "POST /requests per second (0-100000), required"],
    ["--payload-bytes <n>", "bytes per request body (2-262144), required"],
    ["--reads-per-request <n>", "GET /requests/{id} per POST (0-1000), required"],
    ["--hit-share <0-1>", "share of GETs that find their item (default: each client reads until it finds it)"],
    ["--json", "the bill as JSON"],
  ],
};

export interface CliOptions {
  readonly profile: Profile;
  readonly json: boolean;
  readonly varFile: string;
}

/**
 * The traffic profile from parsed arguments (kit/cli.ts); every problem is reported at once, naming the flag, the
 * value and what was expected.
 */
export function costOptions(line: Extract<CommandLine, { kind: "run" }>): CliOptions {
  const problems: string[] = [];
  const values: Partial<Record<keyof Profile, number>> = {};
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const raw = line.values[flag];
    if (raw === undefined) {
      if (!("optional" in spec)) problems.push(`--${flag}: required`);
      continue;
    }
    const value = Number(raw);
    if (
      typeof raw !== "string" ||
      raw.trim() === "" ||
      !Number.isFinite(value) ||
      value < spec.min ||
      value > spec.max ||
      (spec.integer && !Number.isInteger(value))
    ) {
      problems.push(
        `--${flag}: got ${JSON.stringify(raw)}, expected ${spec.integer ? "a whole number" : "a number"} from ${spec.min} to ${spec.max}`,
      );
      continue;
    }
    values[spec.key] = value;
  }
  if (problems.length > 0) throw new UsageError(problems);
  return { profile: values as Profile, json: line.values.json === true, varFile: line.varFile.path };
}

export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `npm run cost: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join("\n")}\n\n${usage(COST_COMMAND)}`,
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

export function billFor(options: CliOptions, config = loadDeployConfig(options.varFile)): Bill {
  const main = synthesizeToJson(config).main;
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
  const line = commandLineOrExit(COST_COMMAND);
  let options: CliOptions;
  try {
    options = costOptions(line);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}`);
    process.exit(2);
  }
  try {
    const bill = billFor(options, loadDeployConfigOrExit(options.varFile));
    process.stdout.write(`${options.json ? JSON.stringify(bill, null, 2) : formatBill(bill)}\n`);
  } catch (error) {
    process.stderr.write(`npm run cost: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

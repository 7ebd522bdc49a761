/**
 * The measured figures the docs quote, rendered from the one file that holds them (docs/cost-inputs.json, rewritten by
 * the benches) and the example config, so prose never carries a copy that a new bench run leaves stale.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../config/load.js";
import { REPO_ROOT } from "../kit/repo-root.js";

type Section = Record<string, unknown>;

function costInputs(): Record<"api" | "processor" | "local", Section> {
  return JSON.parse(readFileSync(join(REPO_ROOT, "docs/cost-inputs.json"), "utf8")) as Record<
    "api" | "processor" | "local",
    Section
  >;
}

function exampleConfig() {
  const file = join(REPO_ROOT, "terraform.tfvars.json");
  return parseConfig(JSON.parse(readFileSync(file, "utf8")));
}

const MEANING: Record<string, string> = {
  bodyBytes: "request body of the pinned payload (bytes)",
  cpuMsPerRequest: "api's own CPU per GET (ms)",
  cpuMsPerMessage: "processor's own CPU per message (ms)",
  readUnitsPerRequest: "DynamoDB read units per GET of the bench load (all find their item)",
  readUnitsPerHit: "DynamoDB read units per GET that finds its item",
  readUnitsPerMiss: "DynamoDB read units per GET that finds nothing",
  logBytesPerRequest: "api log bytes per request line (the bench logs every request; the bill applies the sample rate)",
  responseBytesPerRequest: "response bytes per GET",
  sqsRequestsPerMessage: "SQS requests per message (receive + delete)",
  writeUnitsPerMessage: "DynamoDB write units per message",
  logBytesPerMessage: "processor log bytes per message",
  rate: "offered POST rate (requests/s)",
  apiCpuMsPerGet: "api's CPU per GET under `tsx` (ms)",
  processorCpuMsPerMessage: "processor's CPU per message under `tsx` (ms)",
  apiLogBytesPerGet: "api log bytes per GET",
  processorLogBytesPerMessage: "processor log bytes per message",
  getsPerMessage: "GETs per item (the bench polls until readable)",
  writeUnitsPerItem: "DynamoDB write units per item",
};

const COMMAND = { api: "bench:api", processor: "bench:processor", local: "bench:local" } as const;

/** docs/cost-inputs.json as a table: one row per figure, with the bench command that writes it. */
export function costInputsTable(): string {
  const inputs = costInputs();
  const rows = (Object.keys(COMMAND) as (keyof typeof COMMAND)[]).flatMap((section) =>
    Object.entries(inputs[section]).flatMap(([field, value]) => {
      if (typeof value === "object" && value !== null)
        return Object.entries(value).map(([k, v]) => [`${section}.${field}.${k}`, v, section] as const);
      if (field === "measured" || field === "source") return [];
      return [[`${section}.${field}`, value, section] as const];
    }),
  );
  return [
    "| figure | value | meaning | written by |",
    "| --- | --- | --- | --- |",
    ...rows.map(([key, value, section]) => {
      const field = key.split(".").at(-1)!;
      const meaning = MEANING[field] ?? `SQS ${field} requests per message`;
      return `| \`${key}\` | ${String(value)} | ${meaning} | \`npm run ${COMMAND[section]}\` |`;
    }),
  ].join("\n");
}

const round = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

/** A Fargate task's CPU units as CPU-ms per second (1,024 units = one vCPU = 1,000 ms per second). */
const cpuMsPerSecond = (units: number) => (units / 1024) * 1000;

/** The processor's per-task bound and the default's margin, from the measured CPU per message. */
export function processorBound(): string {
  const cpuMs = Number(costInputs().processor.cpuMsPerMessage);
  const { cpu, messages_per_second_per_task: target } = exampleConfig().services.processor;
  const bound = cpuMsPerSecond(cpu) / cpuMs;
  return [
    "```",
    "bound  = task CPU / processor.cpuMsPerMessage",
    `       = ${cpu} units (${round(cpuMsPerSecond(cpu))} CPU-ms per second) / ${cpuMs} ms = ~${round(bound)} messages/s per task`,
    `margin = bound / messages_per_second_per_task = ${round(bound)} / ${target} = ~${round(bound / target, 1)}x   (${target} msg/s uses ~${round((100 * target) / bound)} % of the task's CPU)`,
    "```",
  ].join("\n");
}

/** The api's per-task bound, the default's margin and the CPU at the target, from the measured CPU per GET. */
export function apiBound(): string {
  const cpuMs = Number(costInputs().api.cpuMsPerRequest);
  const { cpu, target_requests_per_minute_per_task: perMinute } = exampleConfig().services.api;
  const bound = cpuMsPerSecond(cpu) / cpuMs;
  const perSecond = perMinute / 60;
  const atTarget = perSecond * cpuMs;
  const boundPerMinute = Math.round((bound * 60) / 10) * 10;
  return [
    "```",
    "bound  = task CPU / api.cpuMsPerRequest",
    `       = ${cpu} units (${round(cpuMsPerSecond(cpu))} CPU-ms per second) / ${cpuMs} ms = ~${round(bound)} requests/s = ~${round(boundPerMinute)} per minute per task`,
    `margin = bound / target_requests_per_minute_per_task = ${round(boundPerMinute)} / ${round(perMinute)} = ~${round(boundPerMinute / perMinute, 1)}x`,
    `CPU at the target = ${round(perSecond)} requests/s x ${cpuMs} ms = ~${round(atTarget)} CPU-ms per second = ~${round((100 * atTarget) / cpuMsPerSecond(cpu))} % of the task`,
    "```",
  ].join("\n");
}

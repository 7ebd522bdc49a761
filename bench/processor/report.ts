/**
 * What bench:processor reports: per consumer the medians of its runs as units per message and AWS cost, the ratios
 * and targets against the peers and the machine bound, and the write strategies side by side.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { loadDeployConfig } from "../../config/load.js";
import { consumerCostPerMillion, loadPrices } from "../../cost/prices.js";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { BENCH_BODY_BYTES, round, type DrainResult } from "../lib-processor-drain.js";
import { median } from "../shared/stats.js";
import { alignedRows } from "../shared/results.js";
import type { CeilingResult } from "./ceilings.js";

export const CONSUMERS = ["processor", "sqs-consumer best", "sqs-consumer default"] as const;
export type ConsumerName = (typeof CONSUMERS)[number];

export interface ConsumerReport {
  readonly perSecond: number;
  readonly cpuMsPerMessage: number;
  readonly sqsRequestsPerMessage: number;
  readonly writeUnitsPerMessage: number;
  readonly logBytesPerMessage: number;
  readonly peakRssMb: number;
  readonly awsCostPerMillionUsd: Record<string, number>;
  readonly sqsRequestsPerMessageByAction: Record<string, number>;
}

/** What one bench:processor run measured, as the report reads it. */
export interface Measured {
  readonly messages: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly consumerNode: string;
  readonly runs: Readonly<Record<ConsumerName, DrainResult[]>>;
  readonly sqsCeiling: CeilingResult;
  readonly putCeiling: CeilingResult;
  readonly strategies: Readonly<Record<string, CeilingResult>>;
}

export function buildReport({
  messages,
  concurrency,
  rounds,
  consumerNode,
  runs,
  sqsCeiling,
  putCeiling,
  strategies,
}: Measured) {
  const prices = loadPrices();
  const processorTask = loadDeployConfig(join(REPO_ROOT, "terraform.tfvars.json")).services.processor;
  const consumers = Object.fromEntries(
    CONSUMERS.map((name) => {
      const list = runs[name];
      const n = list[0]!.itemsStored;
      const perMessage = (f: (d: DrainResult) => number) => round(median(list.map(f)) / n, 4);
      const sqsByAction: Record<string, number> = {};
      for (const d of list)
        for (const [action, count] of Object.entries(d.sqsRequests))
          sqsByAction[action] = (sqsByAction[action] ?? 0) + count / list.length / n;
      const units = {
        cpuMsPerMessage: perMessage((d) => d.cpuSeconds.processor * 1_000),
        sqsRequestsPerMessage: perMessage((d) => Object.values(d.sqsRequests).reduce((a, b) => a + b, 0)),
        writeUnitsPerMessage: perMessage((d) => d.writeUnits ?? Number.NaN),
        logBytesPerMessage: perMessage((d) => d.logBytes),
      };
      const cost = consumerCostPerMillion(prices, processorTask, units);
      return [
        name,
        {
          messages: n,
          perSecondRuns: list.map((d) => round(d.perSecond)),
          perSecond: round(median(list.map((d) => d.perSecond))),
          ...units,
          sqsRequestsPerMessageByAction: Object.fromEntries(
            Object.entries(sqsByAction).map(([k, v]) => [k, round(v, 4)]),
          ),
          peakRssMb: round(Math.max(...list.map((d) => d.peakRssMb))),
          emulatorCpuMsPerMessage: {
            fauxqs: perMessage((d) => d.cpuSeconds.fauxqs * 1_000),
            dynamodb: perMessage((d) => d.cpuSeconds.dynamodb * 1_000),
          },
          awsCostPerMillionUsd: Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, round(v, 4)])),
        },
      ];
    }),
  ) as unknown as Record<ConsumerName, ConsumerReport>;

  const cpuMsPerItem = (c: CeilingResult) =>
    Object.fromEntries(Object.entries(c.cpuSeconds).map(([k, v]) => [k, round((v * 1_000) / c.messages, 3)]));
  const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
  // Any consumer must receive + delete every message (the SQS ceiling's whole CPU per message, client and fauxqs)
  // and write it (the put ceiling's whole CPU per item), and here all of it shares the machine's cores: no consumer
  // can beat cores / (the sum of the two), whatever its own code costs.
  const machineBound = round(
    (cpus().length * 1_000) / (total(cpuMsPerItem(sqsCeiling)) + total(cpuMsPerItem(putCeiling))),
  );
  const p = consumers.processor;
  const best = consumers["sqs-consumer best"];
  const dflt = consumers["sqs-consumer default"];
  const ratios = {
    throughputVsDefaultPeer: round(p.perSecond / dflt.perSecond, 2),
    throughputVsBestPeer: round(p.perSecond / best.perSecond, 2),
    costVsDefaultPeer: round(p.awsCostPerMillionUsd.total! / dflt.awsCostPerMillionUsd.total!, 3),
    costVsBestPeer: round(p.awsCostPerMillionUsd.total! / best.awsCostPerMillionUsd.total!, 3),
    cpuVsBestPeer: round(p.cpuMsPerMessage / best.cpuMsPerMessage, 3),
    toMachineBound: round(p.perSecond / machineBound, 3),
  };
  const targets = {
    writeUnitsPerMessageIsOne: p.writeUnitsPerMessage === 1,
    costAtMost055xDefaultPeer: ratios.costVsDefaultPeer <= 0.55,
    costAtMostBestPeer: ratios.costVsBestPeer <= 1,
    throughputAtLeast2xDefaultPeer: ratios.throughputVsDefaultPeer >= 2,
    throughputAtLeast13xBestPeer: ratios.throughputVsBestPeer >= 1.3,
    cpuAtMostBestPeer: ratios.cpuVsBestPeer <= 1,
    atLeast08OfMachineBound: ratios.toMachineBound >= 0.8,
    peakRssUnder200Mb: p.peakRssMb < 200,
  };
  return {
    date: new Date().toISOString(),
    messages,
    bodyBytes: BENCH_BODY_BYTES,
    concurrency,
    rounds,
    cpus: cpus().length,
    node: process.version,
    consumerNode,
    consumers,
    ratios,
    targets,
    machineBoundPerSecond: machineBound,
    ceilings: {
      sqsReceiveDeletePerSecond: round(sqsCeiling.perSecond),
      sqsCpuMsPerMessage: cpuMsPerItem(sqsCeiling),
    },
    writeStrategies: Object.fromEntries(
      Object.entries(strategies).map(([name, c]) => [
        name,
        {
          itemsPerSecond: round(c.perSecond),
          cpuMsPerItem: cpuMsPerItem(c),
          writeUnitsPerItemReported: round((c.writeUnitsReported ?? Number.NaN) / c.messages, 3),
          writeUnitsPerItemAws: round((c.writeUnitsFormula ?? Number.NaN) / c.messages, 3),
          clientCostPerMillionUsd: round(
            consumerCostPerMillion(prices, processorTask, {
              cpuMsPerMessage: cpuMsPerItem(c).client!,
              sqsRequestsPerMessage: 0,
              writeUnitsPerMessage: (c.writeUnitsFormula ?? 0) / c.messages,
              logBytesPerMessage: 0,
            }).total,
            4,
          ),
        },
      ]),
    ),
  };
}

export type Report = ReturnType<typeof buildReport>;

export function printTable(r: {
  consumers: Record<ConsumerName, ConsumerReport>;
  ratios: Record<string, number>;
  targets: Record<string, boolean>;
  machineBoundPerSecond: number;
  writeStrategies: Record<string, unknown>;
}): void {
  const names = [...CONSUMERS];
  const rows: [string, ...string[]][] = [
    ["", ...names],
    ["messages/s (median)", ...names.map((n) => String(r.consumers[n].perSecond))],
    ["own CPU ms/message", ...names.map((n) => String(r.consumers[n].cpuMsPerMessage))],
    ["SQS requests/message", ...names.map((n) => String(r.consumers[n].sqsRequestsPerMessage))],
    ["write units/message", ...names.map((n) => String(r.consumers[n].writeUnitsPerMessage))],
    ["log bytes/message", ...names.map((n) => String(r.consumers[n].logBytesPerMessage))],
    ["peak RSS MB", ...names.map((n) => String(r.consumers[n].peakRssMb))],
    ["AWS $ per million messages", ...names.map((n) => String(r.consumers[n].awsCostPerMillionUsd.total))],
  ];
  process.stdout.write(`${alignedRows(rows)}\n`);
  process.stdout.write(`machine bound (conditional PutItem) msg/s: ${r.machineBoundPerSecond}\n`);
  process.stdout.write(`ratios: ${JSON.stringify(r.ratios)}\n`);
  process.stdout.write(`targets: ${JSON.stringify(r.targets)}\n`);
  process.stdout.write(`write strategies: ${JSON.stringify(r.writeStrategies, null, 1)}\n`);
}

/** The figures bench:local reports: latency percentiles, failures and billable units per request and per message. */
import { readFile } from "node:fs/promises";
import { BENCH_BODY_BYTES } from "../../cost/payload.js";
import { percentile, round } from "../shared/stats.js";
import type { Failures, Sample } from "./load.js";

export interface Measured {
  readonly config: {
    readonly durationSeconds: number;
    readonly warmupSeconds: number;
    readonly targetRate: number;
    readonly pollMs: number;
    readonly readTimeoutMs: number;
  };
  readonly startupMs: number;
  readonly samples: readonly Sample[];
  readonly sent: number;
  readonly wallMs: number;
  readonly failures: Failures;
  readonly used: {
    readonly apiCpuMs: number;
    readonly processorCpuMs: number;
    readonly apiLogBytes: number;
    readonly processorLogBytes: number;
    readonly sqs: Readonly<Record<string, number>>;
  };
}

/** Everything bench:local reports, from one measured phase. */
export async function summarize(m: Measured) {
  const { samples, sent, wallMs, used, failures, startupMs } = m;
  const readable = samples.flatMap((s) => (s.readableMs === undefined ? [] : [s.readableMs]));
  const accept = samples.map((s) => s.acceptMs);
  return {
    config: { ...m.config },
    machine: { node: process.version, cpus: (await import("node:os")).cpus().length },
    setup:
      "npm run local as a child process (gateways, SQS adapter and fauxqs in it; api, processor, DynamoDB Local as its children); load generator in this process",
    startupSeconds: round(startupMs / 1000, 1),
    sent,
    accepted: samples.length,
    readable: readable.length,
    failures: {
      postErrors: failures.post,
      postStatus: Object.fromEntries(failures.postStatus),
      getStatus: Object.fromEntries(failures.getStatus),
      unreadable: failures.unreadable,
    },
    achievedRate: round(sent / m.config.durationSeconds, 1),
    readableThroughput: round(readable.length / (wallMs / 1000), 1),
    acceptedToReadableMs: {
      p50: round(percentile(readable, 50)),
      p90: round(percentile(readable, 90)),
      p99: round(percentile(readable, 99)),
      max: round(Math.max(...readable)),
    },
    postLatencyMs: {
      p50: round(percentile(accept, 50)),
      p99: round(percentile(accept, 99)),
      max: round(Math.max(...accept)),
    },
    enqueuedToStoredMs: (() => {
      const stored = samples.flatMap((s) => (s.storedMs === undefined ? [] : [s.storedMs]));
      return {
        p50: round(percentile(stored, 50)),
        p99: round(percentile(stored, 99)),
        max: round(Math.max(...stored)),
      };
    })(),
    getLatencyMs: (() => {
      const gets = samples.flatMap((s) => s.getMs);
      return { p50: round(percentile(gets, 50)), p99: round(percentile(gets, 99)), max: round(Math.max(...gets)) };
    })(),
    meanPollsPerItem: round(samples.reduce((n, s) => n + s.polls, 0) / Math.max(1, samples.length), 2),
    loadAverage: (await import("node:os")).loadavg().map((l) => round(l, 2)),
    bodyBytes: BENCH_BODY_BYTES,
    // Per accepted request (one message, one item) and per GET through the query API (the bench polls until readable).
    units: (() => {
      const gets = samples.reduce((n, s) => n + s.getMs.length, 0);
      const messages = samples.length;
      const sqsTotal = Object.values(used.sqs).reduce((a, b) => a + b, 0);
      return {
        apiCpuMsPerGet: round(used.apiCpuMs / gets, 3),
        processorCpuMsPerMessage: round(used.processorCpuMs / messages, 3),
        sqsRequestsPerMessage: round(sqsTotal / messages, 3),
        sqsRequestsPerMessageByAction: Object.fromEntries(
          Object.entries(used.sqs).map(([k, v]) => [k, round(v / messages, 3)]),
        ),
        apiLogBytesPerGet: round(used.apiLogBytes / gets, 1),
        processorLogBytesPerMessage: round(used.processorLogBytes / messages, 1),
        getsPerMessage: round(gets / messages, 2),
      };
    })(),
  };
}

export type Summary = Awaited<ReturnType<typeof summarize>>;

/** The summary as label / value rows for the console. */
export function summaryRows(summary: Summary): [string, string][] {
  return [
    ["sent / accepted / readable", `${summary.sent} / ${summary.accepted} / ${summary.readable}`],
    ["target rate (req/s)", String(summary.config.targetRate)],
    ["readable throughput (items/s)", String(summary.readableThroughput)],
    ["accepted -> readable p50 (ms)", String(summary.acceptedToReadableMs.p50)],
    ["accepted -> readable p90 (ms)", String(summary.acceptedToReadableMs.p90)],
    ["accepted -> readable p99 (ms)", String(summary.acceptedToReadableMs.p99)],
    ["accepted -> readable max (ms)", String(summary.acceptedToReadableMs.max)],
    ["POST (sched. send -> 202) p50/p99 (ms)", `${summary.postLatencyMs.p50} / ${summary.postLatencyMs.p99}`],
    [
      "SQS enqueue -> DynamoDB write p50/p99 (ms)",
      `${summary.enqueuedToStoredMs.p50} / ${summary.enqueuedToStoredMs.p99}`,
    ],
    ["GET through the query API p50/p99 (ms)", `${summary.getLatencyMs.p50} / ${summary.getLatencyMs.p99}`],
    ["mean GET polls per item", String(summary.meanPollsPerItem)],
    ["machine load average (1/5/15 min)", summary.loadAverage.join(" / ")],
    ["failures", JSON.stringify(summary.failures)],
    ["billable units", JSON.stringify(summary.units)],
  ];
}

/** Write units per item over the whole run (warm-up included): the processor's final counters, in its log. */
export async function writeUnitsPerItem(processorLog: string): Promise<number | undefined> {
  const stopped = (await readFile(processorLog, "utf8"))
    .split("\n")
    .filter((l) => l.includes('"msg":"stopped"'))
    .pop();
  const counters = stopped
    ? (JSON.parse(stopped) as { counters?: { writeUnits?: number; processed?: number } }).counters
    : undefined;
  return counters?.processed ? round((counters.writeUnits ?? Number.NaN) / counters.processed, 3) : undefined;
}

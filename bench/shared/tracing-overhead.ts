/**
 * Tracing's CPU overhead, as bench:api and bench:processor measure it: the same service run with tracing off, at the
 * default sampling and at 100%, in interleaved rounds (off, default, full, then the next round in rotated order), each
 * round giving CPU per unit (request or message) for every mode. The overhead of a mode is the per-round ratio of its
 * CPU per unit to the same round's "off" figure, so drift in the machine's background load between rounds cancels;
 * the spread of those ratios over the rounds (median, quartiles, min and max) says how much of a few percent is
 * signal. The spans go to the local OTLP receiver (local/tracing/receiver.ts) in the bench process, so the services
 * serialize and send every sampled span exactly as they do to the collector beside them on AWS.
 */
import { tracingFields } from "../../config/tracing-fields.js";
import { startTraceReceiver, type TraceReceiver } from "../../local/tracing/receiver.js";
import { percentile, median, round } from "./stats.js";

export const TRACING_MODES = ["off", "default", "full"] as const;
export type TracingMode = (typeof TRACING_MODES)[number];

/** The config's default sample rate (what `tracing.sample_rate` is when the config does not set it). */
export const DEFAULT_SAMPLE_RATE = tracingFields.tracing.parse(undefined).sample_rate;

export const SAMPLE_RATES: Readonly<Record<TracingMode, number>> = { off: 0, default: DEFAULT_SAMPLE_RATE, full: 1 };

/** The service environment for one mode: its sample rate, and the receiver as the OTLP endpoint. */
export const tracingEnv = (mode: TracingMode, tracesEndpoint: string): Record<string, string> => ({
  TRACE_SAMPLE_RATE: String(SAMPLE_RATES[mode]),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint,
});

/** The default sampling may cost at most this much CPU per request or message over tracing off. */
export const TRACING_TARGET_RATIO = 1.03;

/** One local OTLP receiver per mode, so each mode's spans are counted apart (every mode is the same service). */
export interface ModeReceivers {
  readonly receivers: Readonly<Record<TracingMode, TraceReceiver>>;
  /** Spans each mode's receiver has taken so far. */
  received(): Record<TracingMode, number>;
  close(): Promise<void>;
}

export async function startModeReceivers(): Promise<ModeReceivers> {
  const receivers = Object.fromEntries(
    await Promise.all(TRACING_MODES.map(async (mode) => [mode, await startTraceReceiver()] as const)),
  ) as Record<TracingMode, TraceReceiver>;
  return {
    receivers,
    received: () =>
      Object.fromEntries(TRACING_MODES.map((m) => [m, receivers[m].received()])) as Record<TracingMode, number>,
    close: async () => {
      await Promise.all(Object.values(receivers).map((receiver) => receiver.close()));
    },
  };
}

/** Round r's order: rotated each round, so no mode always runs first (or right after another). */
export const roundOrder = (round: number): readonly TracingMode[] =>
  TRACING_MODES.map((_, i) => TRACING_MODES[(i + round) % TRACING_MODES.length]!);

/** CPU milliseconds per unit, per mode, one entry per round. */
export type RoundFigures = Record<TracingMode, number[]>;

export const emptyRounds = (): RoundFigures => ({ off: [], default: [], full: [] });

export interface Spread {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
}

function spread(values: readonly number[], digits: number): Spread {
  return {
    median: round(median(values), digits),
    p25: round(percentile(values, 25), digits),
    p75: round(percentile(values, 75), digits),
    min: round(Math.min(...values), digits),
    max: round(Math.max(...values), digits),
  };
}

/** CPU per unit per mode, and each traced mode's per-round ratio to "off", as spreads over the rounds. */
export function summariseOverhead(rounds: RoundFigures) {
  const ratios = (mode: TracingMode) => rounds[mode].map((value, i) => value / rounds.off[i]!);
  const cpuMs = Object.fromEntries(TRACING_MODES.map((mode) => [mode, spread(rounds[mode], 4)])) as Record<
    TracingMode,
    Spread
  >;
  const defaultRatio = spread(ratios("default"), 4);
  return {
    rounds: rounds.off.length,
    sampleRates: SAMPLE_RATES,
    cpuMsPerUnit: cpuMs,
    ratioToOff: { default: defaultRatio, full: spread(ratios("full"), 4) },
    perRound: rounds,
    target: { defaultRatioAtMost: TRACING_TARGET_RATIO, met: defaultRatio.median <= TRACING_TARGET_RATIO },
  };
}

export type OverheadSummary = ReturnType<typeof summariseOverhead>;

/** The lines a bench prints for its overhead figures. */
export function overheadLines(unit: string, s: OverheadSummary, spans: Readonly<Record<TracingMode, number>>): string {
  const pct = (x: number) => `${x >= 1 ? "+" : ""}${round((x - 1) * 100, 1)}%`;
  const ratio = (r: Spread) =>
    `median ${pct(r.median)} (IQR ${pct(r.p25)} .. ${pct(r.p75)}, min ${pct(r.min)}, max ${pct(r.max)})`;
  return [
    `tracing overhead, ${s.rounds} interleaved rounds, CPU ms per ${unit} (median of rounds):`,
    ...TRACING_MODES.map(
      (mode) =>
        `  ${mode.padEnd(7)} rate ${String(SAMPLE_RATES[mode]).padEnd(4)} ${s.cpuMsPerUnit[mode].median} (spans received ${spans[mode]})`,
    ),
    `  default vs off: ${ratio(s.ratioToOff.default)}; target <= ${pct(s.target.defaultRatioAtMost)}: ${s.target.met ? "PASS" : "FAIL"}`,
    `  full vs off:    ${ratio(s.ratioToOff.full)}`,
  ].join("\n");
}

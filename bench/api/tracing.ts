/**
 * bench:api's tracing overhead: three api processes from the same bundle (tracing off, the default sampling, every
 * request), loaded in interleaved rounds (bench/shared/tracing-overhead.ts), each round's CPU per request read from
 * /proc for the loaded process only. Their spans go to the local OTLP receiver in this process.
 */
import { join } from "node:path";
import { freePort } from "../../local/free-port.js";
import { cpuMeter } from "../shared/proc.js";
import {
  TRACING_MODES,
  emptyRounds,
  roundOrder,
  startModeReceivers,
  summariseOverhead,
  tracingEnv,
  type TracingMode,
} from "../shared/tracing-overhead.js";
import { api } from "./load.js";
import { startServer } from "./servers.js";

export interface ApiTracingSettings {
  readonly node: string;
  readonly bundle: string;
  readonly dynamoEndpoint: string;
  readonly dir: string;
  readonly ids: string[];
  readonly rounds: number;
  readonly sliceSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
}

export async function measureApiTracing(s: ApiTracingSettings) {
  const spans = await startModeReceivers();
  const { receivers } = spans;
  const servers: Partial<Record<TracingMode, Awaited<ReturnType<typeof startServer>>>> = {};
  try {
    for (const mode of TRACING_MODES)
      servers[mode] = await startServer(
        s.node,
        s.bundle,
        s.dynamoEndpoint,
        await freePort(),
        join(s.dir, `api-tracing-${mode}.log`),
        tracingEnv(mode, receivers[mode].tracesEndpoint),
      );
    for (const mode of TRACING_MODES) await api(servers[mode]!.url, s.ids, s.warmupSeconds, s.connections);
    const rounds = emptyRounds();
    const requestCounts: Record<TracingMode, number> = { off: 0, default: 0, full: 0 };
    // Warm-up spans leave up to a second after the warm-up; wait for them so they are not counted below.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const spansBefore = spans.received();
    for (let r = 0; r < s.rounds; r++) {
      for (const mode of roundOrder(r)) {
        const server = servers[mode]!;
        const meter = await cpuMeter({ api: server.child.pid! });
        const load = await api(server.url, s.ids, s.sliceSeconds, s.connections);
        const cpu = await meter.read();
        if (load.errors > 0 || load.non2xx > 0)
          throw new Error(`api (tracing ${mode}): ${load.errors} errors, ${load.non2xx} non-2xx`);
        requestCounts[mode] += load.latencies.length;
        rounds[mode].push((cpu.api! * 1_000) / load.latencies.length);
      }
    }
    // The last export leaves at most a second after the last request (EXPORT_DELAY_MS in apps/shared/src/tracing.ts).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const spansAfter = spans.received();
    const requests = Object.fromEntries(TRACING_MODES.map((m) => [m, requestCounts[m]])) as Record<TracingMode, number>;
    return {
      summary: summariseOverhead(rounds),
      requests,
      spansReceived: Object.fromEntries(TRACING_MODES.map((m) => [m, spansAfter[m] - spansBefore[m]])) as Record<
        TracingMode,
        number
      >,
    };
  } finally {
    for (const server of Object.values(servers)) server.child.kill("SIGTERM");
    await spans.close();
  }
}

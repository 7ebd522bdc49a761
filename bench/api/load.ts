/**
 * The load side of bench:api: autocannon against one server for one slice, and the slices' figures summed per side
 * with the CPU each process used meanwhile.
 */
import { createRequire } from "node:module";
import { cpuMeter } from "../shared/proc.js";
import { round } from "../shared/stats.js";

/** The slice of autocannon's API used here (the package ships no types; loaded via require to stay untyped-free). */
interface AutocannonRequest {
  method: string;
  path?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(
    event: "response",
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface Summary {
  readonly requests: number;
  readonly errors: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarise(latencies: number[], errors: number, seconds: number): Summary {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return {
    requests: sorted.length,
    errors,
    throughput: Math.round(sorted.length / seconds),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export const renameSelf = (cpu: Record<string, number>, name: string) => {
  const { self, ...others } = cpu;
  return { [name]: self!, ...others };
};

export interface Raw {
  latencies: number[];
  /** Response bytes (headers + body) received. */
  bytes: number;
  errors: number;
  non2xx: number;
  seconds: number;
  /** CPU seconds per process during the slices: `self` is this process (autocannon). */
  cpuSeconds: Record<string, number>;
}

export const emptyRaw = (): Raw => ({ latencies: [], bytes: 0, errors: 0, non2xx: 0, seconds: 0, cpuSeconds: {} });

/** Runs one slice of `side` and adds its figures, and the CPU each process used meanwhile, to `into`. */
export async function measureSlice(
  into: Raw,
  pids: Record<string, number>,
  side: () => Promise<Omit<Raw, "cpuSeconds">>,
): Promise<void> {
  const meter = await cpuMeter(pids);
  const from = await side();
  for (const [name, seconds] of Object.entries(await meter.read()))
    into.cpuSeconds[name] = (into.cpuSeconds[name] ?? 0) + seconds;
  for (const latency of from.latencies) into.latencies.push(latency);
  into.bytes += from.bytes;
  into.errors += from.errors;
  into.non2xx += from.non2xx;
  into.seconds += from.seconds;
}

/** CPU milliseconds per request for each process. */
export function perRequestMs(raw: Raw): Record<string, number> {
  return Object.fromEntries(
    Object.entries(raw.cpuSeconds).map(([name, s]) => [name, round((s * 1_000) / raw.latencies.length, 3)]),
  );
}

/** GET /requests/:id over `ids` from `connections` connections for `seconds`; only 200s count as latencies. */
export async function api(
  url: string,
  ids: string[],
  seconds: number,
  connections: number,
): Promise<Omit<Raw, "cpuSeconds">> {
  const latencies: number[] = [];
  let bytes = 0;
  let next = 0;
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/requests/${ids[next++ % ids.length]}` }) }],
  });
  instance.on("response", (_client, statusCode, responseBytes, responseTime) => {
    if (statusCode === 200) latencies.push(responseTime);
    bytes += responseBytes;
  });
  const result = await instance;
  return { latencies, bytes, errors: result.errors + result.timeouts, non2xx: result.non2xx, seconds: result.duration };
}

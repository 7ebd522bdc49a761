/** What bench:api prints: the two sides as a table, each target with its verdict, CPU and billable units. */
import type { Summary } from "./load.js";

export const TARGETS = { throughputRatio: 0.95, p99SlackMs: 5, rssMb: 150, readUnitsPerHit: 0.5 } as const;

export type Side = Summary & { readonly non2xx: number };

export interface Printed {
  readonly peer: Side;
  readonly served: Side;
  readonly ratio: number;
  readonly checks: Readonly<Record<"throughput" | "p99" | "rss" | "noErrors" | "readUnitsPerHit", boolean>>;
  readonly cpuMsPerRequest: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly units: Readonly<Record<string, number>>;
  readonly memory: { readonly rssMb: number; readonly peakRssMb: number };
  readonly loadAverage1m: number;
  readonly cpus: number;
}

function row(name: string, side: Side): (string | number)[] {
  return [
    name,
    side.throughput,
    side.p50Ms,
    side.p90Ms,
    side.p99Ms,
    side.maxMs,
    side.requests,
    side.errors + side.non2xx,
  ];
}

export function printReport(r: Printed): void {
  const { peer, served, checks } = r;
  const rows = [
    ["", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "requests", "errors"],
    row("peer (bare Express 5)", peer),
    row("API (GET /requests/:id)", served),
  ];
  console.log(
    rows.map((cells) => cells.map((cell, i) => String(cell).padStart(i === 0 ? 26 : 10)).join("")).join("\n"),
  );
  console.log(
    `throughput ratio ${r.ratio} (target >= ${TARGETS.throughputRatio}): ${checks.throughput ? "PASS" : "FAIL"}`,
  );
  console.log(
    `p99 ${served.p99Ms} ms vs peer ${peer.p99Ms} + ${TARGETS.p99SlackMs} ms: ${checks.p99 ? "PASS" : "FAIL"}`,
  );
  console.log(`load average (1 min) at the end: ${r.loadAverage1m} on ${r.cpus} CPUs`);
  for (const [side, cpu] of Object.entries(r.cpuMsPerRequest)) {
    console.log(
      `CPU ms per request, ${side}: ${Object.entries(cpu)
        .map(([name, ms]) => `${name} ${ms}`)
        .join(", ")}`,
    );
  }
  console.log(`billable units per request: ${JSON.stringify(r.units)}`);
  console.log(
    `read units per GET that finds its item ${r.units.readUnitsPerHit} (target <= ${TARGETS.readUnitsPerHit}), per miss ${r.units.readUnitsPerMiss}: ${checks.readUnitsPerHit ? "PASS" : "FAIL"}`,
  );
  console.log(
    `API RSS ${r.memory.rssMb} MB (peak ${r.memory.peakRssMb} MB, target < ${TARGETS.rssMb}): ${checks.rss ? "PASS" : "FAIL"}`,
  );
}

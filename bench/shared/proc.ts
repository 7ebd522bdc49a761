/**
 * What Linux's /proc says about a live process: CPU time and memory. The benches run on a shared 2-core machine
 * where the emulators, the service and the load generator compete for the same cores, so they report how much CPU
 * each process used per request or message, not only throughput.
 */
import { readFile } from "node:fs/promises";

/** User + system CPU seconds a live process has used (clock ticks are 100 Hz). */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Current and peak (VmHWM) resident set size of a live process, in MB. */
export async function memoryMb(pid: number): Promise<{ rssMb: number; peakRssMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

/** CPU seconds this process (the bench itself, and any emulator running inside it) has used. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds used by each named process between `cpuMeter()` and `read()`. `self` is the calling process;
 * the others are live pids. A process that exits in between is not readable: have it report its own time.
 */
export async function cpuMeter(pids: Readonly<Record<string, number>>) {
  const names = Object.keys(pids);
  const sample = async () => ({
    self: ownCpuSeconds(),
    ...Object.fromEntries(await Promise.all(names.map(async (name) => [name, await cpuSeconds(pids[name]!)] as const))),
  });
  const start: Record<string, number> = await sample();
  return {
    async read(): Promise<Record<string, number>> {
      const end: Record<string, number> = await sample();
      return Object.fromEntries(Object.keys(end).map((name) => [name, end[name]! - start[name]!]));
    },
  };
}

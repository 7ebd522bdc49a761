import { readFileSync } from "node:fs";
import { join, relative } from "node:path";

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string; dependencies: string[] }>;
}

/** One line per synthesized stack: what it holds, what it depends on and where its JSON is. */
export function summarizeSynth(outdir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Manifest;
  return Object.entries(manifest.stacks).map(([name, stack]) => {
    const file = join(outdir, stack.synthesizedStackPath);
    const json = JSON.parse(readFileSync(file, "utf8")) as Record<
      string,
      Record<string, Record<string, unknown>> | undefined
    >;
    const count = (block?: Record<string, Record<string, unknown>>) =>
      Object.values(block ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
    const outputs = Object.keys(json.output ?? {}).length;
    const after = stack.dependencies.length ? `, after ${stack.dependencies.join(", ")}` : "";
    return `${name}: ${count(json.resource)} resources, ${count(json.data)} data sources, ${outputs} outputs${after} -> ${relative(process.cwd(), file)}`;
  });
}

/** The four synths per var file (cdktf, hybrid, cdktn, cli), each neighbouring pair normalized and compared. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { awsTypes } from "./bindings.js";
import {
  diffSynths,
  formatValue,
  measure,
  normalize,
  type Difference,
  type Normalized,
  type Synth,
} from "./compare.js";
import type { Source } from "./explanations.js";
import { DEFAULT_VARIANT, varFiles } from "./var-files.js";
import { run, say, withNodeFirst, type Clock, type Layout } from "./scratch.js";

export async function readSynth(outdir: string): Promise<Synth> {
  const manifest = JSON.parse(await readFile(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks: Record<string, Record<string, unknown>> = {};
  for (const [id, stack] of Object.entries(manifest.stacks)) {
    stacks[id] = JSON.parse(await readFile(join(outdir, stack.synthesizedStackPath), "utf8")) as Record<
      string,
      unknown
    >;
  }
  return { manifest, stacks };
}

export async function synthDirect(nodeBin: string, app: string, outdir: string, tfvars: string): Promise<Synth> {
  await run(nodeBin, [app], {
    cwd: dirname(app),
    env: withNodeFirst(nodeBin, { CDKTF_OUTDIR: outdir, TFVARS_FILE: tfvars }),
    timeout: 300_000,
  });
  return readSynth(outdir);
}

export interface Comparison {
  readonly differences: Partial<Record<Source, Difference[]>>;
  readonly normalized: { source: Source; entry: Normalized }[];
  /** cdktf -> cdktn directly: what a migrated deployment sees. */
  readonly net: Difference[];
  /** The AWS resource and data source types the synths hold. */
  readonly types: Set<string>;
}

/** The four synths per var file, each pair normalized and compared. */
export async function synthAndCompare(layout: Layout, nodeBin: string, clock: Clock): Promise<Comparison> {
  const result: Comparison = { differences: {}, normalized: [], net: [], types: new Set() };
  const example = JSON.parse(await readFile(join(layout.migrated, "terraform.tfvars.json"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const [variant, tfvarsJson] of Object.entries(varFiles(example))) {
    const dir = join(layout.scratch, "out", variant);
    await mkdir(dir, { recursive: true });
    const tfvars = join(dir, "terraform.tfvars.json");
    await writeFile(tfvars, `${JSON.stringify(tfvarsJson, null, 2)}\n`);
    const [fromCdktf, fromHybrid, fromCdktn] = await Promise.all([
      synthDirect(nodeBin, join(layout.plain, "app.cjs"), join(dir, "cdktf"), tfvars),
      synthDirect(nodeBin, join(layout.hybrid, "app.cjs"), join(dir, "hybrid"), tfvars),
      synthDirect(nodeBin, join(layout.migrated, "app.cjs"), join(dir, "cdktn"), tfvars),
    ]);
    await run(
      nodeBin,
      [join(layout.migrated, "node_modules", "cdktn-cli", "bin", "cdktn"), "synth", "--output", join(dir, "cli")],
      {
        cwd: layout.migrated,
        env: withNodeFirst(nodeBin, { CDKTF_HOME: join(layout.scratch, "cdktf-home"), TFVARS_FILE: tfvars }),
        timeout: 300_000,
      },
    );
    const fromCli = await readSynth(join(dir, "cli"));
    const size = measure(fromCdktf);
    if (size.stacks !== 2 || size.addresses === 0)
      throw new Error(`${variant}: expected the ecr and main stacks, got ${Object.keys(fromCdktf.stacks).join(", ")}`);
    say(
      `${variant}: synthesized ${Object.keys(fromCdktf.stacks).join(", ")} four times, ${size.addresses} addresses and ${size.values} values each (${clock.lap()})`,
    );

    // Each pair differs by one thing only, so each difference has one cause.
    const pairs = {
      framework: [fromCdktf, fromHybrid],
      provider: [fromHybrid, fromCdktn],
      cli: [fromCdktn, fromCli],
    } as const;
    const located = <T extends { stack: string }>(entry: T): T =>
      variant === DEFAULT_VARIANT ? entry : { ...entry, stack: `${variant}/${entry.stack}` };
    for (const [source, [before, after]] of Object.entries(pairs) as [Source, readonly [Synth, Synth]][]) {
      const normalized = normalize(before, after);
      (result.differences[source] ??= []).push(...diffSynths(normalized.before, normalized.after).map(located));
      for (const entry of normalized.normalized) {
        if (formatValue(entry.before) !== formatValue(entry.after))
          result.normalized.push({ source, entry: located(entry) });
      }
    }
    const net = normalize(fromCdktf, fromCdktn);
    result.net.push(...diffSynths(net.before, net.after).map(located));
    for (const type of Object.values(fromCdktf.stacks).flatMap(awsTypes)) result.types.add(type);
  }
  return result;
}

/** Which fork releases to check: the pinned ones or the newest on the registry, and the Node they all accept. */
import type { Target } from "./migrate.js";
import { run } from "./scratch.js";

export async function npmView(spec: string, field: string): Promise<string> {
  const { stdout } = await run("npm", ["view", spec, field, "--json"], { timeout: 60_000 });
  const value: unknown = JSON.parse(stdout);
  // A range matching several versions answers with an array, oldest first.
  return String(Array.isArray(value) ? value[value.length - 1] : value);
}

/** The lowest Node every package accepts: the highest `>=` minimum among their `engines.node`. */
export function strictestNode(ranges: readonly string[]): string {
  const minimum = (range: string) => (/>=\s*(\d+)\.(\d+)\.(\d+)/.exec(range) ?? []).slice(1).map(Number);
  const sorted = ranges
    .filter((range) => minimum(range).length === 3)
    .sort((a, b) => {
      const [x, y] = [minimum(a), minimum(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
  const top = sorted[sorted.length - 1];
  if (!top) throw new Error(`no ">= x.y.z" Node range among ${ranges.join(", ")}`);
  return `>=${minimum(top).join(".")}`;
}

export async function resolveTarget(latest: boolean, pinned: Target["versions"]): Promise<Target> {
  let versions = pinned;
  if (latest) {
    const [cdktn, cli, provider] = await Promise.all(
      ["cdktn", "cdktn-cli", "@cdktn/provider-aws"].map((name) => npmView(name, "version")),
    );
    const constructsRange = await npmView(`cdktn@${cdktn}`, "peerDependencies.constructs");
    versions = {
      cdktn: cdktn!,
      "cdktn-cli": cli!,
      "@cdktn/provider-aws": provider!,
      constructs: await npmView(`constructs@${constructsRange}`, "version"),
    };
  }
  const engines = await Promise.all(
    (["cdktn", "cdktn-cli", "@cdktn/provider-aws"] as const).map((name) =>
      npmView(`${name}@${versions[name]}`, "engines.node").catch(() => ""),
    ),
  );
  return { versions, node: strictestNode(engines.filter(Boolean)) };
}

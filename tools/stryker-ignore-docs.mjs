import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/**
 * Stryker ignorer "doc-text": the prose of each policy control (`title`, `why`, and an exemption's `what`) is
 * documentation shown in `npm run policy`'s table, not logic; mutating its words measures nothing. Every other
 * string, including each problem message a check returns, is still mutated. Listed in docs/TESTING.md.
 */
const DOC_KEYS = new Set(["title", "why", "what"]);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "doc-text", {
    shouldIgnore(path) {
      const file = String(path.hub?.file?.opts?.filename ?? "");
      if (!/policy\/controls\/[^/]+\.ts$/.test(file)) return undefined;
      if (!path.isObjectProperty() || path.node.computed) return undefined;
      const key = path.node.key;
      const name = key.type === "Identifier" ? key.name : key.type === "StringLiteral" ? key.value : undefined;
      return name && DOC_KEYS.has(name) ? `policy control prose (${name}) is documentation, not logic` : undefined;
    },
  }),
];

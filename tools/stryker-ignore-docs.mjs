import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

/**
 * Stryker ignorer "doc-text": prose that is documentation, not logic; mutating its words measures nothing.
 * - the prose of each policy control (`title`, `why`, and an exemption's `what`), shown in `npm run policy`'s table;
 * - the `.describe()` text of each config key, from which docs/CONFIGURATION.md is generated (test/infra/docs.test.ts
 *   keeps that file in step with it).
 * Every other string, including each problem message a check returns and each config expectation, is still mutated.
 * Listed in docs/TESTING.md.
 */
const DOC_KEYS = new Set(["title", "why", "what"]);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "doc-text", {
    shouldIgnore(path) {
      const file = String(path.hub?.file?.opts?.filename ?? "");
      if (/policy\/controls\/[^/]+\.ts$/.test(file)) return controlProse(path);
      if (/config\/[^/]+\.ts$/.test(file)) return configDescription(path);
      return undefined;
    },
  }),
];

function controlProse(path) {
  if (!path.isObjectProperty() || path.node.computed) return undefined;
  const key = path.node.key;
  const name = key.type === "Identifier" ? key.name : key.type === "StringLiteral" ? key.value : undefined;
  return name && DOC_KEYS.has(name) ? `policy control prose (${name}) is documentation, not logic` : undefined;
}

/** Only the text argument: the schema the call is made on (`z.number().min(1)...`) is logic and stays mutated. */
function configDescription(path) {
  if (!path.isStringLiteral() || path.listKey !== "arguments") return undefined;
  const callee = path.parent.type === "CallExpression" ? path.parent.callee : undefined;
  const method = callee?.type === "MemberExpression" && !callee.computed ? callee.property.name : undefined;
  return method === "describe"
    ? "config key description is documentation (docs/CONFIGURATION.md), not logic"
    : undefined;
}

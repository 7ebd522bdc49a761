/**
 * The JSONPath subset API Gateway mapping templates use in `$input.path()` / `$input.json()`: `$`, `.name`,
 * `['name']`, `["name"]` and `[index]`. Anything else (filters, wildcards, `..`) throws, so a template that relies on
 * them fails loudly locally instead of rendering something AWS would not.
 */
const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;

export class UnsupportedJsonPathError extends Error {
  constructor(path: string) {
    super(
      `local: JSONPath ${JSON.stringify(path)} uses syntax the local gateway does not implement ($, .name, ['name'], [n])`,
    );
    this.name = "UnsupportedJsonPathError";
  }
}

/** The value at `path` in `root`, or undefined when a step is missing. */
export function evaluateJsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith("$")) throw new UnsupportedJsonPathError(path);
  let rest = path.slice(1);
  let current = root;
  while (rest.length > 0) {
    const step = STEP.exec(rest);
    if (!step) throw new UnsupportedJsonPathError(path);
    rest = rest.slice(step[0].length);
    const key = step[1] ?? step[3] ?? step[4];
    if (current === null || typeof current !== "object") return undefined;
    current = key !== undefined ? (current as Record<string, unknown>)[key] : (current as unknown[])[Number(step[2])];
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * API Gateway resource-tree routing: literal path parts beat `{param}`, which beats a greedy `{proxy+}`; a path
 * that matches no resource, or a resource without the method (or ANY), is not found.
 */
export interface RouteMatch<M> {
  readonly resourcePath: string;
  readonly method: M;
  readonly pathParameters: Readonly<Record<string, string>>;
}

interface Route<M> {
  readonly resourcePath: string;
  readonly parts: string[];
  readonly methods: Map<string, M>;
}

export class Router<M> {
  private readonly routes: Route<M>[] = [];

  /** Adds a method on a resource path such as `/requests/{requestId}`. */
  add(resourcePath: string, httpMethod: string, method: M): void {
    let route = this.routes.find((r) => r.resourcePath === resourcePath);
    if (!route) {
      route = { resourcePath, parts: splitPath(resourcePath), methods: new Map() };
      this.routes.push(route);
    }
    if (route.methods.has(httpMethod)) throw new Error(`local: ${httpMethod} ${resourcePath} is defined twice`);
    route.methods.set(httpMethod, method);
  }

  match(httpMethod: string, path: string): RouteMatch<M> | undefined {
    const parts = splitPath(path);
    const candidates = this.routes
      .map((route) => ({ route, params: matchParts(route.parts, parts) }))
      .filter((c): c is { route: Route<M>; params: Record<string, string> } => c.params !== undefined)
      .sort((a, b) => specificity(b.route.parts) - specificity(a.route.parts));
    const best = candidates[0];
    if (!best) return undefined;
    const method = best.route.methods.get(httpMethod) ?? best.route.methods.get("ANY");
    return method === undefined
      ? undefined
      : { resourcePath: best.route.resourcePath, method, pathParameters: best.params };
  }
}

function splitPath(path: string): string[] {
  return path.split("/").filter((p) => p !== "");
}

function matchParts(template: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const part = template[i]!;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      if (i !== template.length - 1 || actual.length <= i) return undefined;
      params[greedy[1]!] = actual.slice(i).map(decode).join("/");
      return params;
    }
    const value = actual[i];
    if (value === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(part);
    if (param) params[param[1]!] = decode(value);
    else if (part !== value) return undefined;
  }
  return actual.length === template.length ? params : undefined;
}

/** Literal parts score highest so `/requests/latest` wins over `/requests/{id}` (API Gateway's precedence). */
function specificity(parts: readonly string[]): number {
  return (
    parts.reduce((score, part) => score * 3 + (part.endsWith("+}") ? 0 : part.startsWith("{") ? 1 : 2), 0) * 100 +
    parts.length
  );
}

/** A percent-encoded path or segment as its client wrote it (itself when it is not valid encoding). */
export function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

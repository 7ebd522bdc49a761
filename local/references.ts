import type { TfJson } from "../tfjson/index.js";

/**
 * Terraform interpolations in the synthesized JSON (`${aws_sqs_queue.queue_1234.url}`) resolved to local values.
 *
 * Rules, in order:
 * 1. a value registered with `set()` (what only the emulators know: queue URLs and ARNs, the stage's invoke URL...);
 * 2. `<type>.<name>.id` of any resource: its logical name (a stable local stand-in for the id AWS would assign);
 * 3. an attribute the resource's own body sets (`aws_sqs_queue.q.name`, `aws_api_gateway_method.m.http_method`),
 *    itself resolved recursively.
 * Anything else (a computed attribute nobody registered, a function call, a missing resource) throws, naming the
 * reference and where it was used: a silently wrong value would make the local run lie about the synth.
 */
export class UnresolvedReferenceError extends Error {
  constructor(
    readonly reference: string,
    readonly where: string,
    reason: string,
  ) {
    super(`local: cannot resolve \${${reference}} in ${where}: ${reason}`);
    this.name = "UnresolvedReferenceError";
  }
}

/** `$${` is Terraform's escape for a literal `${`; anything else between `${` and `}` is an expression. */
const INTERPOLATION = /\$\$\{|\$\{([^}]*)\}/g;
/** Plain attribute references only: `[data.]type.name.attribute`, no functions, indexes or operators. */
const ADDRESS = /^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)$/;
const MAX_DEPTH = 20;

export class References {
  private readonly values = new Map<string, string>();

  constructor(private readonly doc: TfJson) {}

  /** Registers the local value of a reference such as `aws_sqs_queue.queue_1234.url` or `data.aws_caller_identity.caller.account_id`. */
  set(address: string, value: string): this {
    this.values.set(address, value);
    return this;
  }

  /** Resolves every interpolation in a string, array or object (deeply); other values are returned unchanged. */
  resolve<T>(value: T, where: string): T {
    return this.resolveDeep(value, where, 0) as T;
  }

  /** Resolves one string; throws when an interpolation is not understood. */
  resolveString(text: string, where: string): string {
    return this.resolveText(text, where, 0);
  }

  private resolveDeep(value: unknown, where: string, depth: number): unknown {
    if (typeof value === "string") return this.resolveText(value, where, depth);
    if (Array.isArray(value)) return value.map((v) => this.resolveDeep(v, where, depth));
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => key !== "//")
          .map(([key, v]) => [key, this.resolveDeep(v, where, depth)]),
      );
    }
    return value;
  }

  private resolveText(text: string, where: string, depth: number): string {
    return text.replace(INTERPOLATION, (match, expression: string | undefined) =>
      match === "$${" ? "${" : this.lookup(expression!.trim(), where, depth),
    );
  }

  private lookup(reference: string, where: string, depth: number): string {
    const registered = this.values.get(reference);
    if (registered !== undefined) return registered;
    if (depth > MAX_DEPTH)
      throw new UnresolvedReferenceError(reference, where, "references nest too deeply (a cycle?)");
    const parts = ADDRESS.exec(reference);
    if (!parts)
      throw new UnresolvedReferenceError(
        reference,
        where,
        "only plain `type.name.attribute` references are interpreted locally",
      );
    const [, data, type, name, attribute] = parts as unknown as [string, string | undefined, string, string, string];
    const body = this.doc[data ? "data" : "resource"]?.[type]?.[name];
    if (!body)
      throw new UnresolvedReferenceError(
        reference,
        where,
        `the synth has no ${data ? "data source" : "resource"} ${type}.${name}`,
      );
    if (attribute === "id") return name;
    const own = body[attribute];
    if (typeof own === "string" || typeof own === "number" || typeof own === "boolean") {
      return this.resolveText(String(own), `${type}.${name}.${attribute}`, depth + 1);
    }
    throw new UnresolvedReferenceError(
      reference,
      where,
      `"${attribute}" is computed by AWS and has no local value (register one in local/stack.ts if the local run needs it)`,
    );
  }
}

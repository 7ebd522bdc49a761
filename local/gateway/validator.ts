import Ajv04 from "ajv-draft-04";
import type { ErrorObject, ValidateFunction } from "ajv";

/**
 * Request-body validation against an API Gateway model (JSON Schema draft 4).
 *
 * Why ajv + ajv-draft-04: API Gateway models are draft 4, which ajv 8 dropped from its core; ajv-draft-04 is the Ajv
 * team's own package that restores it on the same engine (the most used and maintained JSON Schema validator for
 * Node, already in the tree through fastify). A hand-written subset would drift from draft 4 on the first
 * non-trivial model.
 *
 * API Gateway validates with a Java library whose messages differ from ajv's; `describe` rewrites the common ajv
 * errors into that wording so `$context.error.validationErrorString` reads like AWS's, e.g.
 * `[instance type (array) does not match any allowed primitive type (allowed: ["object"])]`.
 */
export type BodyValidation =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errors: readonly string[] };

export class ModelValidator {
  private readonly validate: ValidateFunction;

  constructor(schema: object) {
    const ajv = new Ajv04({ allErrors: true, strict: false });
    this.validate = ajv.compile(schema);
  }

  check(body: string): BodyValidation {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      // Not JSON at all: API Gateway rejects it with the same BAD_REQUEST_BODY response (wording is local).
      return { ok: false, errors: [`Invalid JSON in request body: ${(error as Error).message}`] };
    }
    if (this.validate(value)) return { ok: true, value };
    return { ok: false, errors: describe(this.validate.errors ?? [], value) };
  }
}

/** `[message, message]`: API Gateway's validationErrorString lists every problem in one bracketed string. */
export function validationErrorString(errors: readonly string[]): string {
  return `[${errors.join(", ")}]`;
}

function describe(errors: readonly ErrorObject[], root: unknown): string[] {
  const messages: string[] = [];
  const missing = new Map<string, string[]>();
  for (const error of errors) {
    const instance = valueAt(root, error.instancePath);
    const p: Record<string, unknown> = error.params;
    switch (error.keyword) {
      case "type": {
        const allowed = (Array.isArray(p.type) ? p.type : [p.type]) as string[];
        messages.push(
          `instance type (${jsonType(instance)}) does not match any allowed primitive type (allowed: [${allowed.map((t) => JSON.stringify(t)).join(",")}])`,
        );
        break;
      }
      case "required":
        // Grouped per object, as the Java validator reports them.
        missing.set(error.instancePath, [...(missing.get(error.instancePath) ?? []), p.missingProperty as string]);
        break;
      case "additionalProperties":
        messages.push(
          `object instance has properties which are not allowed by the schema: [${JSON.stringify(p.additionalProperty)}]`,
        );
        break;
      case "enum":
        messages.push(
          `instance value (${JSON.stringify(instance)}) not found in enum (possible values: ${JSON.stringify(p.allowedValues)})`,
        );
        break;
      case "minLength":
        messages.push(
          `string ${JSON.stringify(instance)} is too short (length: ${String(instance).length}, required minimum: ${String(p.limit)})`,
        );
        break;
      case "maxLength":
        messages.push(
          `string ${JSON.stringify(instance)} is too long (length: ${String(instance).length}, maximum allowed: ${String(p.limit)})`,
        );
        break;
      case "minimum":
        messages.push(
          `numeric instance is lower than the required minimum (minimum: ${String(p.limit)}, found: ${String(instance)})`,
        );
        break;
      case "maximum":
        messages.push(
          `numeric instance is greater than the required maximum (maximum: ${String(p.limit)}, found: ${String(instance)})`,
        );
        break;
      case "pattern":
        messages.push(
          `ECMA 262 regex ${JSON.stringify(p.pattern)} does not match input string ${JSON.stringify(instance)}`,
        );
        break;
      default:
        messages.push(`${error.instancePath || "instance"} ${error.message ?? error.keyword}`);
    }
  }
  for (const [, names] of missing) {
    messages.push(`object has missing required properties (${JSON.stringify([...names].sort())})`);
  }
  return messages;
}

/** JSON Schema's type names, with "integer" for whole numbers as the Java validator reports them. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>(
      (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
      root,
    );
}

/** The names of the method's required path, query string and header parameters the request lacks. */
export function missingParameters(
  method: { readonly requestParameters: Readonly<Record<string, boolean>> },
  pathParameters: Readonly<Record<string, string>>,
  url: URL,
  headers: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(method.requestParameters)
    .filter(([, required]) => required)
    .map(([name]) => /^method\.request\.(path|querystring|header)\.(.+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .filter(([, location, name]) =>
      location === "path"
        ? !pathParameters[name!]
        : location === "querystring"
          ? !url.searchParams.has(name!)
          : headers[name!.toLowerCase()] === undefined,
    )
    .map(([, , name]) => name!);
}

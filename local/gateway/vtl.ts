import velocity from "velocityjs";
import { evaluateJsonPath } from "./jsonpath.js";

/**
 * API Gateway's mapping-template language (Velocity) rendered with velocityjs, with the `$input`, `$util`,
 * `$context` and `$stageVariables` objects API Gateway provides. Only the variables below exist; a reference to
 * anything else renders as an empty string, as it does in API Gateway.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */

export interface TemplateInput {
  /** The raw body: the client's request body, or the integration's response body in an integration response. */
  readonly body: string;
  readonly params?: {
    readonly path?: Readonly<Record<string, string>>;
    readonly querystring?: Readonly<Record<string, string>>;
    readonly header?: Readonly<Record<string, string>>;
  };
}

export interface TemplateContext {
  readonly requestId: string;
  readonly httpMethod?: string;
  readonly resourcePath?: string;
  readonly path?: string;
  readonly stage?: string;
  readonly apiId?: string;
  readonly requestTimeEpoch?: number;
  readonly identity?: {
    readonly sourceIp?: string;
    readonly apiKey?: string;
    readonly apiKeyId?: string;
    /** AWS_IAM: the principal's unique id (`AIDA...`, `AROA...:session`, or the account id for root). */
    readonly user?: string;
    readonly userArn?: string;
    readonly accountId?: string;
    readonly caller?: string;
  };
  /** COGNITO_USER_POOLS: the verified token's claims, as `$context.authorizer.claims.<name>`. */
  readonly authorizer?: { readonly claims?: Readonly<Record<string, string>> };
  readonly extendedRequestId?: string;
  /** The X-Ray trace id of the request (local/tracing/xray-header.ts). */
  readonly xrayTraceId?: string;
  readonly protocol?: string;
  /** Access-log-only values, known once the response is sent. */
  readonly status?: number;
  readonly responseLength?: number;
  readonly responseLatency?: number;
  readonly integration?: {
    readonly status?: number | string;
    readonly latency?: number | string;
    readonly error?: string;
  };
  readonly error?: {
    readonly message?: string;
    readonly messageString?: string;
    readonly validationErrorString?: string;
    readonly responseType?: string;
  };
}

export function renderTemplate(
  template: string,
  input: TemplateInput,
  context: TemplateContext,
  stageVariables: Readonly<Record<string, string>> = {},
): string {
  const compiled = compile(template);
  // `silence` renders undefined references as "" (API Gateway's behaviour) instead of Velocity's literal `$name`.
  return compiled.render(
    { input: inputVariable(input), util, context: { ...context }, stageVariables },
    undefined,
    true,
  );
}

/** Templates are parsed once: a handful of strings from the synth, rendered on every request. */
const compiledTemplates = new Map<string, InstanceType<typeof velocity.Compile>>();
function compile(template: string) {
  let compiled = compiledTemplates.get(template);
  if (!compiled) {
    compiled = new velocity.Compile(velocity.parse(template), { escape: false });
    compiledTemplates.set(template, compiled);
  }
  return compiled;
}

function inputVariable(input: TemplateInput) {
  const params = {
    path: input.params?.path ?? {},
    querystring: input.params?.querystring ?? {},
    header: input.params?.header ?? {},
  };
  let parsed: { value: unknown } | undefined;
  const json = () => (parsed ??= { value: parseOrThrow(input.body) }).value;
  return {
    body: input.body,
    /** The value at a JSONPath: an object or array can be navigated further in the template (`$x.field`). */
    path: (path: string) => evaluateJsonPath(json(), path),
    /** The value at a JSONPath as JSON text. */
    json: (path: string) => JSON.stringify(evaluateJsonPath(json(), path) ?? null),
    /** All parameters, or one by name (path, then query string, then header: API Gateway's search order). */
    params: (name?: string) =>
      name === undefined
        ? params
        : (params.path[name] ?? params.querystring[name] ?? lookupHeader(params.header, name) ?? ""),
  };
}

function lookupHeader(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

function parseOrThrow(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new Error(`local: $input.path/$input.json on a body that is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A value as text, `""` for null or undefined (what `$util` receives for a missing value). */
// eslint-disable-next-line @typescript-eslint/no-base-to-string -- $util takes any JSON value; an object prints as JavaScript prints it, as before
const orEmpty = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

/** `$util`: the Java semantics API Gateway documents, not JavaScript's (they differ on spaces, quotes, `!'()~`). */
export const util = {
  /** java.net.URLEncoder.encode(s, "UTF-8"): space -> '+', only [A-Za-z0-9.*_-] left as is. */
  urlEncode: (value: unknown) =>
    encodeURIComponent(
      orEmpty(value).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "?"),
    )
      .replace(/%20/g, "+")
      .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  /** java.net.URLDecoder.decode(s, "UTF-8"). */
  urlDecode: (value: unknown) => decodeURIComponent(orEmpty(value).replace(/\+/g, " ")),
  /** Commons Lang 2 StringEscapeUtils.escapeJavaScript: note it escapes `'` too, which JSON does not allow. */
  escapeJavaScript: (value: unknown) => escapeJavaScript(orEmpty(value)),
  base64Encode: (value: unknown) => Buffer.from(orEmpty(value), "utf8").toString("base64"),
  base64Decode: (value: unknown) => Buffer.from(orEmpty(value), "base64").toString("utf8"),
  parseJson: (value: unknown) => JSON.parse(String(value)) as unknown,
};

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\b": "\\b",
  "\n": "\\n",
  "\t": "\\t",
  "\f": "\\f",
  "\r": "\\r",
  "'": "\\'",
  '"': '\\"',
  "\\": "\\\\",
  "/": "\\/",
};

function escapeJavaScript(text: string): string {
  let out = "";
  // Per UTF-16 code unit, like Java: characters outside the BMP become two \uXXXX escapes.
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const code = text.charCodeAt(i);
    const simple = SIMPLE_ESCAPES[c];
    if (simple) out += simple;
    else if (code < 0x20 || code > 0x7f) out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += c;
  }
  return out;
}

/**
 * Reading synthesized Terraform JSON (`cdk.tf.json`): shared by the policy controls, the tests and the local run.
 */

export type TfBlock = Record<string, Record<string, Record<string, any>>>;

export interface TfJson {
  resource?: TfBlock;
  data?: TfBlock;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  variable?: Record<string, Record<string, unknown>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, any>;
  [key: string]: unknown;
}

/** One resource (or data source) with its Terraform address, e.g. `aws_sqs_queue.queue_140BE0E7`. */
export interface TfResource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  /** The construct path (`main/queue/dlq`), readable in reports. */
  readonly path: string;
  readonly body: Record<string, any>;
}

export function resources(doc: TfJson, type: string, block: "resource" | "data" = "resource"): TfResource[] {
  return Object.entries(doc[block]?.[type] ?? {}).map(([name, body]) => ({
    type,
    name,
    address: `${block === "data" ? "data." : ""}${type}.${name}`,
    path: String(body["//"]?.metadata?.path ?? name),
    body,
  }));
}

/** `${<address>.<attribute>}`: the string another resource uses to reference this one. */
export function reference(resource: TfResource, attribute: string): string {
  return `\${${resource.address}.${attribute}}`;
}

/** Parses a policy document string (IAM, queue policy) into its statements, always as arrays. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, unknown>;
}

export function statements(policy: string): PolicyStatement[] {
  const document = JSON.parse(policy) as { Statement: any[] | any };
  const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const asArray = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  return list.map((s) => ({ ...s, Action: asArray(s.Action), Resource: asArray(s.Resource) }));
}

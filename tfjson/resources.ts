import { field, show, type TfJson, type TfObject } from "./document.js";

/** One resource (or data source) with its Terraform address, e.g. `aws_sqs_queue.queue_140BE0E7`. */
export interface TfResource {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  /** The construct path (`main/queue/dlq`), readable in reports; the logical name when the synth has none. */
  readonly path: string;
  readonly body: TfObject;
}

/** `main/ingest-api/stage/stage`: cdktf's construct path of a resource body, if its metadata has one. */
export function constructPath(body: TfObject): string | undefined {
  const path = field(body, "//", "metadata", "path");
  return path === undefined || path === null ? undefined : show(path);
}

/** Every resource (or data source) of one type, in synth order. */
export function resources(doc: TfJson, type: string, block: "resource" | "data" = "resource"): TfResource[] {
  return Object.entries(doc[block]?.[type] ?? {}).map(([name, body]) => ({
    type,
    name,
    address: `${block === "data" ? "data." : ""}${type}.${name}`,
    path: constructPath(body) ?? name,
    body,
  }));
}

/** The one resource of `type` or a clear error naming how many there are (`who` says which reader needs one). */
export function onlyResource(doc: TfJson, type: string, who: string, why: string): TfResource {
  const all = resources(doc, type);
  if (all.length !== 1) throw new Error(`${who}: expected exactly one ${type} (${why}), the synth has ${all.length}`);
  return all[0]!;
}

/** `${<address>.<attribute>}`: the string another resource uses to reference this one. */
export function reference(resource: TfResource, attribute: string): string {
  return `\${${resource.address}.${attribute}}`;
}

import * as tfjson from "../../tfjson/index.js";

/**
 * The tests' view of tfjson/: the same reader, with bodies typed `any`, since tests read bodies deep by path and a
 * wrong path fails the assertion at run time (production code narrows tfjson's `unknown` bodies instead).
 */
export type TfBlock = Record<string, Record<string, Record<string, any>>>;

export interface TfJson extends tfjson.TfJson {
  resource?: TfBlock;
  data?: TfBlock;
  terraform?: Record<string, any>;
}

export interface TfResource extends tfjson.TfResource {
  readonly body: Record<string, any>;
}

export function resources(doc: TfJson, type: string, block: "resource" | "data" = "resource"): TfResource[] {
  return tfjson.resources(doc, type, block);
}
export const { reference, statements } = tfjson;
export type { PolicyStatement } from "../../tfjson/index.js";

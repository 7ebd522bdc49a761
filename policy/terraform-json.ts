/* eslint-disable @typescript-eslint/no-explicit-any -- the tests that still import this file read bodies by path as `any` (their lint allows it); production code uses tfjson/, whose bodies are `unknown` */
import * as tfjson from "../tfjson/index.js";

/**
 * The Terraform JSON reader lives in tfjson/. This file only keeps the loose view (`any` bodies) for the tests
 * outside policy/ that still import it (test/engine, test/infra, test/support); delete it when they import tfjson/.
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
export type { PolicyStatement } from "../tfjson/index.js";

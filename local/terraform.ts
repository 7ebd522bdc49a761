/**
 * The parts of a synthesized Terraform JSON document (`cdk.tf.json`) the local stack reads. Kept here rather than
 * imported from test/support so `npm run local` depends on nothing under test/.
 */
export type TerraformBlock = Record<string, Record<string, Record<string, unknown>>>;

export type TerraformJson = {
  resource?: TerraformBlock;
  data?: TerraformBlock;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
} & Record<string, unknown>;

/** All resources of one type as [logical name, body] pairs, in synth order. */
export function resourcesOf(doc: TerraformJson, type: string): [string, Record<string, any>][] {
  return Object.entries(doc.resource?.[type] ?? {});
}

/** The one resource of `type` or a clear error naming how many there are (the local stack supports exactly one). */
export function onlyResourceOf(doc: TerraformJson, type: string, why: string): [string, Record<string, any>] {
  const all = resourcesOf(doc, type);
  if (all.length !== 1) throw new Error(`local: expected exactly one ${type} (${why}), the synth has ${all.length}`);
  return all[0]!;
}

/** `main/ingest-api/stage/stage` for a resource body: cdktf's construct path, for error messages. */
export function constructPath(body: Record<string, any>): string {
  return String(body["//"]?.metadata?.path ?? "?");
}

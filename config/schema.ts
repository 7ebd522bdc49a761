import type { z } from "zod";
import { crossFieldIssues } from "./cross-field.js";
import { fieldsSchema, validFields } from "./fields.js";

/**
 * The whole of `terraform.tfvars.json`: each key's own rules (fields.ts, built from field-types.ts,
 * service-fields.ts and nested-fields.ts), then the rules across keys (cross-field.ts) over the keys that passed
 * their own (zod runs this refinement after "continuable" failures such as a regex mismatch, but not after a type
 * error: parseConfig covers that case).
 */
export const configSchema = fieldsSchema.superRefine((config, ctx) => {
  for (const issue of crossFieldIssues(validFields(config))) ctx.addIssue({ code: "custom", ...issue });
});

export type Config = z.output<typeof configSchema>;

/**
 * What one stack's plan changes, read from `terraform show -json <planfile>` (Terraform's JSON plan format,
 * https://developer.hashicorp.com/terraform/internals/json-format): counts per action and the destructive changes.
 */
import { planFindings, type PlanFindings } from "./plan-findings.js";

export interface PlanCounts {
  /** The numbers of Terraform's own "Plan: X to add, Y to change, Z to destroy." line (a replacement is 1 + 1). */
  add: number;
  change: number;
  destroy: number;
  /** Of those, delete-then-create or create-then-delete replacements. */
  replace: number;
  import: number;
  forget: number;
}

export interface DestructiveChange {
  address: string;
  action: "delete" | "replace" | "forget";
}

export interface PlanSummary extends PlanFindings {
  counts: PlanCounts;
  /** Resources that are deleted, replaced or forgotten, in plan order: what a reviewer must look at. */
  destructive: DestructiveChange[];
  outputChanges: number;
  terraformVersion: string | undefined;
}

export class PlanFormatError extends Error {
  override name = "PlanFormatError";
}

type Action = "no-op" | "create" | "read" | "update" | "delete" | "forget";
const KNOWN_ACTIONS: ReadonlySet<string> = new Set<Action>(["no-op", "create", "read", "update", "delete", "forget"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function actionsOf(change: unknown, where: string): Action[] {
  if (!isRecord(change) || !Array.isArray(change.actions) || change.actions.length === 0) {
    throw new PlanFormatError(`${where}: expected change.actions to be a non-empty array`);
  }
  for (const action of change.actions) {
    if (typeof action !== "string" || !KNOWN_ACTIONS.has(action)) {
      throw new PlanFormatError(`${where}: unknown action ${JSON.stringify(action)}`);
    }
  }
  return change.actions as Action[];
}

/** Counts a parsed JSON plan the way `terraform plan` summarises it; throws PlanFormatError on anything else. */
export function summarizePlan(plan: unknown): PlanSummary {
  if (!isRecord(plan)) throw new PlanFormatError("expected a JSON object (terraform show -json <planfile>)");
  const formatVersion = plan.format_version;
  if (typeof formatVersion !== "string" || !/^1\.\d+$/.test(formatVersion)) {
    throw new PlanFormatError(`unsupported format_version ${JSON.stringify(formatVersion)} (expected 1.x)`);
  }
  if (plan.errored === true) throw new PlanFormatError("the plan errored; Terraform did not produce a complete plan");
  const resourceChanges = plan.resource_changes ?? [];
  if (!Array.isArray(resourceChanges)) throw new PlanFormatError("expected resource_changes to be an array");

  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0, import: 0, forget: 0 };
  const destructive: DestructiveChange[] = [];
  resourceChanges.forEach((resource: unknown, index) => {
    const where = `resource_changes[${index}]`;
    if (!isRecord(resource) || typeof resource.address !== "string") {
      throw new PlanFormatError(`${where}: expected an object with an address`);
    }
    const actions = actionsOf(resource.change, where);
    // Data sources read during apply are not part of Terraform's add/change/destroy line.
    if (resource.mode === "data") return;
    if (isRecord(resource.change) && resource.change.importing != null) counts.import += 1;
    const has = (action: Action) => actions.includes(action);
    if (has("create") && has("delete")) {
      counts.add += 1;
      counts.destroy += 1;
      counts.replace += 1;
      destructive.push({ address: resource.address, action: "replace" });
    } else if (has("create")) {
      counts.add += 1;
    } else if (has("update")) {
      counts.change += 1;
    } else if (has("delete")) {
      counts.destroy += 1;
      destructive.push({ address: resource.address, action: "delete" });
    }
    if (has("forget")) {
      counts.forget += 1;
      destructive.push({ address: resource.address, action: "forget" });
    }
  });

  let outputChanges = 0;
  if (isRecord(plan.output_changes)) {
    for (const [name, change] of Object.entries(plan.output_changes)) {
      if (!actionsOf(change, `output_changes.${name}`).every((action) => action === "no-op")) outputChanges += 1;
    }
  }
  const terraformVersion = typeof plan.terraform_version === "string" ? plan.terraform_version : undefined;
  return { counts, destructive, outputChanges, terraformVersion, ...planFindings(plan) };
}

export function hasChanges(summary: PlanSummary): boolean {
  const { add, change, destroy, import: imports, forget } = summary.counts;
  return add + change + destroy + imports + forget + summary.outputChanges > 0;
}

/** "2 to add, 1 to change, 1 to destroy (1 replacement)" — Terraform's wording, plus what it folds in. */
export function describeCounts(summary: PlanSummary): string {
  if (!hasChanges(summary)) return "no changes";
  const { add, change, destroy, replace, import: imports, forget } = summary.counts;
  let text = `${add} to add, ${change} to change, ${destroy} to destroy`;
  const extra = [
    replace > 0 ? `${replace} ${replace === 1 ? "replacement" : "replacements"}` : "",
    imports > 0 ? `${imports} to import` : "",
    forget > 0 ? `${forget} to forget` : "",
    summary.outputChanges > 0
      ? `${summary.outputChanges} output ${summary.outputChanges === 1 ? "change" : "changes"}`
      : "",
  ].filter(Boolean);
  if (extra.length > 0) text += ` (${extra.join(", ")})`;
  return text;
}

import { CONTROLS, evaluate, type ControlResult, type PolicyInput } from "../../policy/controls/index.js";
import { renderTable } from "../../policy/render.js";

/**
 * The result of the control whose first id is `id`, evaluated alone: a test of one control runs, and so covers for
 * mutation testing, only that control's code (with all controls, every mutant would run every such test).
 */
export function controlResult(input: PolicyInput, id: string): ControlResult {
  // `?.`: a mutant may leave a control without ids, and that must fail a test, not the lookup of another control.
  const control = CONTROLS.find((c) => c.ids?.[0] === id);
  if (!control) throw new Error(`no control ${id}`);
  return evaluate(input, [control])[0]!;
}

/** The `npm run policy` table row of that control, rendered from its result alone (the table's third line). */
export function controlRow(input: PolicyInput, id: string): string {
  return renderTable([controlResult(input, id)]).split("\n")[2]!;
}

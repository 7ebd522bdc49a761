/**
 * Every alarm's description ends with a link to its section of docs/RUNBOOK.md, so the notification itself says
 * where to start. The section heading is the alarm's key (`### <key>`); a test keeps the two in step.
 */
export const RUNBOOK_PATH = "docs/RUNBOOK.md";

export function runbookLink(key: string): string {
  return `Runbook: ${RUNBOOK_PATH}#${key}`;
}

/** The runbook key an alarm description links to, or undefined when it links none. */
export function runbookKeyOf(description: string | undefined): string | undefined {
  return description?.match(/Runbook: docs\/RUNBOOK\.md#([a-z0-9-]+)$/)?.[1];
}

/**
 * What `npm run deploy:main` reports after Terraform has applied: the outcome of the ECS deployment each service
 * started, judged from the deployment's status (ECS ListServiceDeployments / DescribeServiceDeployments). The AWS
 * calls are passed in (scripts/wait-rollout.ts makes them with the AWS CLI), so the decisions here are tested alone.
 */

/** A service deployment as ECS reports it. */
export interface ServiceDeployment {
  readonly arn: string;
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOP_REQUESTED, STOPPED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ... */
  readonly status: string;
  readonly statusReason?: string | undefined;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

export type Outcome =
  | { readonly kind: "unchanged" }
  | { readonly kind: "in-progress"; readonly deployment: ServiceDeployment }
  | { readonly kind: "completed"; readonly deployment: ServiceDeployment }
  | { readonly kind: "rolled-back"; readonly deployment: ServiceDeployment }
  | { readonly kind: "stopped"; readonly deployment: ServiceDeployment };

/**
 * The outcome of the newest deployment created at or after `since` (the deploy's start): none means the deploy did
 * not change the service. A rollback is final as soon as ECS decides it (ROLLBACK_*): the release is already bad.
 */
export function judge(deployments: readonly ServiceDeployment[], since: number): Outcome {
  const newest = [...deployments].filter((d) => d.createdAt >= since).sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!newest) return { kind: "unchanged" };
  if (newest.status.startsWith("ROLLBACK_")) return { kind: "rolled-back", deployment: newest };
  switch (newest.status) {
    case "SUCCESSFUL":
      return { kind: "completed", deployment: newest };
    case "STOPPED":
    case "STOP_REQUESTED":
      return { kind: "stopped", deployment: newest };
    default:
      return { kind: "in-progress", deployment: newest };
  }
}

/** Exit codes of the wait: 0 every deployment completed (or none started), 1 one rolled back or stopped, 3 timed out. */
export const EXIT = { ok: 0, failed: 1, timedOut: 3 } as const;

export function exitCodeOf(outcomes: Readonly<Record<string, Outcome>>): number {
  const kinds = Object.values(outcomes).map((o) => o.kind);
  if (kinds.some((k) => k === "rolled-back" || k === "stopped")) return EXIT.failed;
  if (kinds.includes("in-progress")) return EXIT.timedOut;
  return EXIT.ok;
}

/** One line per service, for the deploy log. */
export function describeOutcome(service: string, outcome: Outcome): string {
  if (outcome.kind === "unchanged") return `${service}: no new deployment (the deploy did not change the service)`;
  const { arn, status, statusReason } = outcome.deployment;
  const reason = statusReason ? `: ${statusReason}` : "";
  return `${service}: ${outcome.kind} (${status}) ${arn}${reason}`;
}

export interface WaitOptions {
  readonly services: readonly string[];
  /** The deploy's start (ms since the epoch): only deployments created since then are this deploy's. */
  readonly since: number;
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** The service's deployments (newest few are enough). */
  readonly deploymentsOf: (service: string) => Promise<readonly ServiceDeployment[]>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
}

/**
 * Polls until every service's deployment is final or the time is up; returns the last outcome of each. The bound is
 * the deploy's: past it the deploy fails (exit 3) with the deployments still running, and ECS carries on.
 */
export async function waitForRollouts(options: WaitOptions): Promise<Record<string, Outcome>> {
  const deadline = options.now() + options.timeoutMs;
  const outcomes: Record<string, Outcome> = {};
  for (;;) {
    for (const service of options.services) {
      const previous = outcomes[service];
      if (previous && previous.kind !== "in-progress") continue;
      outcomes[service] = judge(await options.deploymentsOf(service), options.since);
      const outcome = outcomes[service];
      if (outcome.kind !== previous?.kind) options.log(describeOutcome(service, outcome));
    }
    const waiting = Object.values(outcomes).some((o) => o.kind === "in-progress");
    if (!waiting || options.now() >= deadline) return outcomes;
    await options.sleep(Math.min(options.pollMs, Math.max(0, deadline - options.now())));
  }
}

import { z } from "zod";

/** `services.<name>.deployment`: how ECS rolls out a new revision of each service, and how long it watches it. */

/**
 * The longest evaluation window (minutes) of a rollback alarm: a bake time shorter than this ends before the alarm
 * can go into ALARM, so ECS would finish a bad release. stacks/deployment-alarms.ts holds the alarms to it.
 */
export const ROLLBACK_ALARM_WINDOW_MINUTES = 5;

const bakeMinutes = (fallback: number) =>
  z
    .number()
    .int()
    .min(
      ROLLBACK_ALARM_WINDOW_MINUTES,
      `expected at least ${ROLLBACK_ALARM_WINDOW_MINUTES}: the rollback alarms' window`,
    )
    .max(1440)
    .default(fallback);

const finalBake = () =>
  bakeMinutes(10).describe(
    "Minutes both revisions run after all traffic is on the new one, while the rollback alarms watch.",
  );

const rolling = z.strictObject({ strategy: z.literal("rolling") });
const blueGreen = z.strictObject({ strategy: z.literal("blue_green"), bake_minutes: finalBake() });

/** The api sits behind the ALB: ECS can shift its traffic between two target groups. */
export const apiDeployment = z
  .discriminatedUnion("strategy", [
    rolling.extend({
      reason: z
        .string()
        .min(1)
        .max(300)
        .optional()
        .describe("Why the api deploys without shifting traffic: policy control CUSTOM.ROLLOUT_STRATEGY asks for one."),
    }),
    blueGreen,
    z.strictObject({
      strategy: z.literal("canary"),
      // ECS accepts 0.1-100; below 5 % a canary sees too few requests for a rate alarm to mean anything.
      canary_percent: z.number().min(5).max(50).default(10).describe("Share of traffic the new revision gets first."),
      canary_bake_minutes: bakeMinutes(5).describe(
        "Minutes the canary share runs before the rest of the traffic moves.",
      ),
      bake_minutes: finalBake(),
    }),
    z.strictObject({
      strategy: z.literal("linear"),
      // ECS accepts 3-100 per step.
      step_percent: z.number().min(3).max(100).default(25).describe("Share of traffic moved at each step."),
      step_bake_minutes: bakeMinutes(5).describe("Minutes between steps."),
      bake_minutes: finalBake(),
    }),
  ])
  .default({ strategy: "canary", canary_percent: 10, canary_bake_minutes: 5, bake_minutes: 10 })
  .describe(
    'How ECS deploys a new api revision: `{"strategy": "rolling", "reason": "..."}` (tasks replaced in place; the policy asks for the reason), `"blue_green"` (all traffic at once to a full new set, old set kept for `bake_minutes`), `"canary"` (`canary_percent` first for `canary_bake_minutes`, then all) or `"linear"` (`step_percent` every `step_bake_minutes`). Every strategy rolls back on the circuit breaker and on the rollback alarms (docs/OPERATIONS.md, "Safe rollouts").',
  );

/**
 * The processor has no load balancer: ECS allows it `rolling` or a headless `blue_green` (no traffic shifting, so the
 * new revision consumes real messages from its first second).
 */
export const processorDeployment = z
  .discriminatedUnion("strategy", [rolling, blueGreen])
  .default({ strategy: "rolling" })
  .describe(
    'How ECS deploys a new processor revision: `{"strategy": "rolling"}` or `{"strategy": "blue_green", "bake_minutes": 10}` (a full new set next to the old one for the bake time, both consuming). Both roll back on the circuit breaker and on the processor error-rate alarm (docs/OPERATIONS.md, "Safe rollouts").',
  );

export type ApiDeployment = z.output<typeof apiDeployment>;
export type ProcessorDeployment = z.output<typeof processorDeployment>;
export type Deployment = ApiDeployment | ProcessorDeployment;

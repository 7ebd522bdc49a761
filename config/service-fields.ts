import { z } from "zod";
import { apiDeployment, processorDeployment } from "./deployment-fields.js";
import { imageTag } from "./field-types.js";

/** `services.api` and `services.processor`: task size, counts and autoscaling of each Fargate service. */

/** Fargate accepts only these CPU units, each with its own memory range (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly [min: number, max: number, step: number]>> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

const service = z.strictObject({
  image_tag: imageTag.describe(
    "Default image tag of the service; a deploy overrides it with `TF_VAR_<service>_image_tag`, and `npm run deploy:main` without one keeps the tag that runs.",
  ),
  cpu: z.number().int().default(256).describe("Fargate CPU units of one task: 256, 512, 1024, 2048 or 4096."),
  memory: z
    .number()
    .int()
    .default(512)
    .describe(
      "MiB per task; must fit the CPU (256: 512-2048 in steps of 512; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in steps of 1024).",
    ),
  desired_count: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(2)
    .describe("Tasks at first deploy; autoscaling owns the count afterwards (must lie within min/max)."),
});

/** The api scales between min_count and max_count on requests per task and on CPU, whichever asks for more. */
export const apiService = service.extend({
  // At least 1: the query path has no other server, and an empty target group fails every request.
  min_count: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(2)
    .describe("Fewest api tasks autoscaling keeps (at least 1: an empty target group fails every request)."),
  max_count: z.number().int().min(1).max(100).default(10).describe("Most api tasks autoscaling starts."),
  // ALBRequestCountPerTarget is requests per task per minute.
  target_requests_per_minute_per_task: z
    .number()
    .int()
    .min(10)
    .max(1_000_000)
    .default(6_000)
    .describe(
      "ALB requests per task per minute the api is scaled to hold; the default is derived from the measured CPU per request in docs/cost-inputs.json (docs/OPERATIONS.md shows the arithmetic and the margin).",
    ),
  target_cpu_percent: z.number().int().min(10).max(90).default(60).describe("Average CPU the api is scaled to hold."),
  deployment: apiDeployment,
});

/**
 * The processor scales on backlog per task; its target is acceptable_backlog_seconds x messages_per_second_per_task
 * (messages one task can hold in its share of the queue and still clear them within the acceptable delay).
 */
export const processorService = service.extend({
  desired_count: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe("Tasks at first deploy; autoscaling owns the count afterwards (must lie within min/max)."),
  // At least 1: the scaling metric is backlog per running task, which has no value with 0 tasks, so a service
  // scaled to zero would never scale out again and its messages would wait until their retention ran out.
  min_count: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe("Fewest processor tasks (at least 1: backlog per task has no value with 0 tasks)."),
  max_count: z.number().int().min(1).max(100).default(10).describe("Most processor tasks autoscaling starts."),
  poll_concurrency: z
    .number()
    .int()
    .min(1)
    .max(32)
    .default(4)
    .describe("Concurrent long polls per task (`POLL_CONCURRENCY`)."),
  // The queue's visibility timeout is twice this, and SQS caps it at 12 hours.
  max_batch_seconds: z
    .number()
    .int()
    .min(5)
    .max(21_600)
    .default(30)
    .describe(
      "Worst-case time for one batch: the processor's time limit for its hooks (a hook still running then fails its message); the queue's visibility timeout is twice this, and so is the health stall threshold (at least 120 s).",
    ),
  acceptable_backlog_seconds: z
    .number()
    .int()
    .min(5)
    .max(3_600)
    .default(30)
    .describe(
      "How long a message may wait for a task in steady state; times `messages_per_second_per_task` = the backlog-per-task scaling target.",
    ),
  // Conservative against the measured CPU per message (docs/cost-inputs.json): see docs/OPERATIONS.md.
  messages_per_second_per_task: z
    .number()
    .positive()
    .max(10_000)
    .default(100)
    .describe(
      "What one task processes per second; the default is derived from the measured CPU per message in docs/cost-inputs.json (docs/OPERATIONS.md shows the arithmetic, the margin and how to measure yours).",
    ),
  deployment: processorDeployment,
});

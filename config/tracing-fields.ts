import { z } from "zod";

/**
 * The `tracing` key: how many traces the services record and the collector that sends them to X-Ray
 * (stacks/services/trace-export.ts). config/fields.ts places it among the other keys.
 */

/** The AWS Distro for OpenTelemetry collector, as ECR Public serves it; pinned, so an image update is a change. */
export const DEFAULT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0";

/** An image reference: registry/repository[:tag][@sha256:digest], no spaces. */
const imageReference = z
  .string()
  .regex(
    /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?$/,
    "expected an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:v0.45.0",
  );

export const tracingFields = {
  tracing: z
    .strictObject({
      sample_rate: z
        .number()
        .min(0)
        .max(1)
        .default(0.05)
        .describe(
          "Share of traces the services record when no decision arrives with the request or message; a decision that does arrive (API Gateway's X-Ray sampling rules: by default 1 request a second and 5% of the rest) is always followed. `0` = the services' tracing off: no collector, no SDK, no `trace` message attribute, no cost in the services (the stages keep X-Ray active tracing, so API Gateway still records its own traces). 5%: the rate X-Ray's own default rule uses, enough to see every path of a busy service within minutes, at a twentieth of the span cost.",
        ),
      collector_image: imageReference
        .default(DEFAULT_COLLECTOR_IMAGE)
        .describe(
          "The ADOT collector image that runs beside each task and sends its spans to X-Ray. The default is pulled from ECR Public through NAT; with `vpc_endpoints` and no NAT it must be in ECR in the stack's region (a failed image pull stops the whole task, so the config refuses any other): an ECR pull-through cache of ECR Public in this account and region (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/aws-observability/aws-otel-collector:<tag>`) or a copy (docs/OPERATIONS.md, Traces). It runs on the tasks' `cpu_architecture` (the image is multi-architecture).",
        ),
    })
    .default({ sample_rate: 0.05, collector_image: DEFAULT_COLLECTOR_IMAGE })
    .describe("Traces of requests and messages across API Gateway, SQS, both services and DynamoDB, in X-Ray."),
};

type Tracing = z.output<(typeof tracingFields)["tracing"]>;

/**
 * With `vpc_endpoints` the tasks' egress reaches only the endpoints, so a collector image outside ECR in the stack's
 * region cannot be pulled. On Fargate a failed image pull (CannotPullContainerError) stops the whole task before any
 * container starts, whatever `essential` says: no task would ever run. An error, not a warning.
 */
export function collectorImageIssues(config: {
  tracing?: Tracing;
  vpc_endpoints?: unknown;
  region?: string;
}): { path: (string | number)[]; message: string }[] {
  const { tracing, region } = config;
  if (!tracing || !config.vpc_endpoints || region === undefined || tracing.sample_rate <= 0) return [];
  const registry = new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.amazonaws\\.com(\\.cn)?/`);
  if (registry.test(tracing.collector_image)) return [];
  return [
    {
      path: ["tracing", "collector_image"],
      message: `${tracing.collector_image} is not in ECR in ${region}, and with vpc_endpoints the tasks have no internet to pull it: a failed image pull stops the whole task, so no task would start. Point it at an ECR pull-through cache of ECR Public or a copy in ECR in ${region} (docs/OPERATIONS.md#traces), or set tracing.sample_rate to 0`,
    },
  ];
}

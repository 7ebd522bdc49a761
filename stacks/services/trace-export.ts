import type { PolicyStatement } from "../shared/iam.js";

/**
 * How the services' spans reach X-Ray: an AWS Distro for OpenTelemetry (ADOT) collector beside each task.
 *
 * Chosen over the X-Ray OTLP endpoint with SigV4: that endpoint only takes spans once X-Ray Transaction Search is on,
 * an account-wide switch that moves every trace of the account to CloudWatch Logs pricing, which a stack must never
 * turn on by surprise; and the services would need a SigV4-signing exporter, which OpenTelemetry JS does not ship.
 * The collector takes OTLP/HTTP on the task's loopback (the containers of an awsvpc task share it), batches, and
 * calls X-Ray's PutTraceSegments with the task role. Not the X-Ray daemon: it reaches end of support with the SDKs.
 * Its cost is a share of the task's CPU and memory (below) and the X-Ray segments themselves (npm run cost).
 */
export interface TraceExportSettings {
  /** 0 = off: no collector, no variables, no permissions. */
  readonly sampleRate: number;
  readonly collectorImage: string;
  readonly region: string;
  /** The account's partition, for the collector repository's ARN. */
  readonly partition: string;
}

/** What a Fargate service adds to its task when tracing is on. */
export interface TraceExport {
  /** The services' variables (apps/shared/src/tracing-config.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** The collector's container definition, given the task's log group. */
  readonly sidecar: (logGroupName: string) => Record<string, unknown>;
  /** For the task role: what the collector calls. */
  readonly taskStatements: readonly PolicyStatement[];
  /** For the execution role: pulling the collector image when it is in this account's ECR. */
  readonly executionStatements: readonly PolicyStatement[];
}

export const COLLECTOR_CONTAINER = "aws-otel-collector";
/** The OTLP/HTTP port the collector listens on, on loopback only. */
export const COLLECTOR_OTLP_PORT = 4318;
/**
 * The collector's share of the task: 64 CPU units and a 96 MiB soft reservation (it idles near 40 MiB and its
 * batches are small at these rates); GOMEMLIMIT keeps its heap below the reservation.
 */
export const COLLECTOR_CPU_UNITS = 64;
export const COLLECTOR_MEMORY_RESERVATION_MIB = 96;

/** The collector's configuration (ADOT reads it from AOT_CONFIG_CONTENT): OTLP/HTTP in, X-Ray out. */
export function collectorConfig(region: string): string {
  return [
    "receivers:",
    "  otlp:",
    "    protocols:",
    "      http:",
    `        endpoint: 127.0.0.1:${COLLECTOR_OTLP_PORT}`,
    "processors:",
    "  batch:",
    "    timeout: 1s",
    "exporters:",
    "  awsxray:",
    `    region: ${region}`,
    // Indexed, so the X-Ray console finds a request's trace with annotation.app_request_id = "<id>".
    "    indexed_attributes: [app.request_id, app.message.outcome]",
    "service:",
    "  pipelines:",
    "    traces:",
    "      receivers: [otlp]",
    "      processors: [batch]",
    "      exporters: [awsxray]",
  ].join("\n");
}

/**
 * `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag]` -> that repository's ARN (the execution role may
 * pull from it and nothing else); undefined for an image outside ECR (ECR Public needs no permission).
 */
export function ecrRepositoryArn(image: string, partition: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  return match ? `arn:${partition}:ecr:${match[2]}:${match[1]}:repository/${match[3]}` : undefined;
}

export function traceExport(settings: TraceExportSettings): TraceExport | undefined {
  if (settings.sampleRate <= 0) return undefined;
  const repository = ecrRepositoryArn(settings.collectorImage, settings.partition);
  return {
    environment: {
      TRACE_SAMPLE_RATE: String(settings.sampleRate),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${COLLECTOR_OTLP_PORT}/v1/traces`,
    },
    sidecar: (logGroupName) => ({
      name: COLLECTOR_CONTAINER,
      image: settings.collectorImage,
      // Spans are worth losing before requests are: a collector that exits must not stop the task. Its image is
      // another matter: a failed pull stops the whole task whatever this says, so config/tracing-fields.ts refuses
      // an image the tasks cannot reach.
      essential: false,
      cpu: COLLECTOR_CPU_UNITS,
      memoryReservation: COLLECTOR_MEMORY_RESERVATION_MIB,
      user: "10001:10001",
      readonlyRootFilesystem: true,
      privileged: false,
      environment: [
        { name: "AOT_CONFIG_CONTENT", value: collectorConfig(settings.region) },
        { name: "GOMEMLIMIT", value: `${COLLECTOR_MEMORY_RESERVATION_MIB - 16}MiB` },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": logGroupName,
          "awslogs-region": settings.region,
          "awslogs-stream-prefix": COLLECTOR_CONTAINER,
        },
      },
    }),
    // X-Ray defines no resource for PutTraceSegments: "*" is the only value it accepts. The collector samples
    // nothing itself (the services do), so no GetSamplingRules/GetSamplingTargets.
    taskStatements: [{ sid: "SendTraces", actions: ["xray:PutTraceSegments"], resources: ["*"] }],
    executionStatements: repository
      ? [
          {
            sid: "PullCollectorImage",
            // BatchImportUpstreamImage: the first pull through a pull-through cache copies the image in.
            actions: [
              "ecr:BatchCheckLayerAvailability",
              "ecr:BatchGetImage",
              "ecr:GetDownloadUrlForLayer",
              "ecr:BatchImportUpstreamImage",
            ],
            resources: [repository],
          },
        ]
      : [],
  };
}

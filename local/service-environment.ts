import { LOCAL_CREDENTIALS } from "./resources.js";

/**
 * A locally run service's environment: the container's environment from the synthesized task definition, plus the
 * local overrides (its port and address, the emulators' endpoints, dummy credentials, and the options below).
 */
export interface LocalOverrides {
  /** The variable that is the service's listening port, and the port. */
  readonly port: readonly [variable: string, port: number];
  readonly host: string;
  /** The provider's region, when the task sets none. */
  readonly region: string;
  readonly emulators: { readonly sqsEndpoint: string; readonly dynamoEndpoint: string };
  readonly logLevel?: string | undefined;
  /** TEST ONLY (LocalStackOptions.visibilityTimeoutSeconds). */
  readonly visibilityTimeoutSeconds?: number | undefined;
  /** The local trace receiver. */
  readonly traces: { readonly tracesEndpoint: string };
}

export function localServiceEnvironment(
  task: Readonly<Record<string, string>>,
  local: LocalOverrides,
): Record<string, string> {
  return {
    ...task,
    [local.port[0]]: String(local.port[1]),
    LISTEN_HOST: local.host,
    AWS_REGION: task.AWS_REGION ?? local.region,
    AWS_ENDPOINT_URL_SQS: local.emulators.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: local.emulators.dynamoEndpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...(local.logLevel ? { LOG_LEVEL: local.logLevel } : {}),
    ...localTracingEnvironment(task, local.traces.tracesEndpoint),
    ...(local.visibilityTimeoutSeconds !== undefined && "VISIBILITY_TIMEOUT_SECONDS" in task
      ? { VISIBILITY_TIMEOUT_SECONDS: String(local.visibilityTimeoutSeconds) }
      : {}),
  };
}

/**
 * Spans go to the local receiver, and every trace is kept whenever the synthesized task turns tracing on (one
 * developer's traffic, where the point is to see each trace); a task with tracing off stays off.
 */
export function localTracingEnvironment(
  task: Readonly<Record<string, string>>,
  tracesEndpoint: string,
): Record<string, string> {
  const rate = Number(task.TRACE_SAMPLE_RATE ?? "0");
  if (!(rate > 0)) return {};
  return { TRACE_SAMPLE_RATE: "1", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesEndpoint };
}

import { z } from "zod";
import { blankAsUnset, httpUrl } from "./env-schema.js";

/** The OTLP/HTTP traces path of a collector in the same task (the containers of an awsvpc task share one loopback). */
export const DEFAULT_TRACES_ENDPOINT = "http://127.0.0.1:4318/v1/traces";

/**
 * The tracing environment variables both services read (the task definitions set them from the config's `tracing`
 * block; docs/OPERATIONS.md, "Traces").
 *
 * TRACE_SAMPLE_RATE: the share of traces recorded when nothing upstream has decided. A trace header that carries a
 * parent and a decision (`Parent=...;Sampled=1` or `Sampled=0`, as API Gateway's active tracing sends) is always
 * followed; one with only the trace id is decided again here, independently of API Gateway (docs/OPERATIONS.md,
 * "Traces", says when a trace is complete). `0` turns tracing off: no SDK is started, no span object is made,
 * nothing is exported. Unset means off, so a service started by hand or by a test starts no SDK and spends nothing
 * on tracing.
 */
export const TRACING_ENV = {
  TRACE_SAMPLE_RATE: blankAsUnset(
    z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, "must be a number from 0 (tracing off) to 1 (every trace), such as 0.05")
      .transform(Number)
      .default(0),
  ),
  /** Where spans go as OTLP/HTTP (JSON): the collector beside the task in AWS, the local receiver locally. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: blankAsUnset(httpUrl().default(DEFAULT_TRACES_ENDPOINT)),
} as const;

export interface TracingConfig {
  /** 0 = off. */
  readonly sampleRate: number;
  readonly endpoint: string;
}

/** The typed settings from the parsed variables above. */
export function tracingConfig(parsed: {
  readonly TRACE_SAMPLE_RATE: number;
  readonly OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: string;
}): TracingConfig {
  return { sampleRate: parsed.TRACE_SAMPLE_RATE, endpoint: parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT };
}

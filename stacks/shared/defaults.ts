/**
 * Defaults shared by the constructs of the main stack, in one place so each concern-specific construct stays
 * short and the numbers that must agree (ports, timeouts) cannot drift apart.
 */

/** Port the api container listens on (the service's PORT default) and the ALB's ip target group forwards to. */
export const API_CONTAINER_PORT = 8080;
/** Port of the processor's liveness endpoint (its HEALTH_PORT default). */
export const PROCESSOR_HEALTH_PORT = 8081;
/**
 * The processor's /health turns bad after this long without progress (a receive, a durable item, a delete): the
 * service's default, or twice the worst-case batch time when that is longer, so slow but working hooks never read
 * as a stall.
 */
export function processorHealthStallSeconds(maxBatchSeconds: number): number {
  return Math.max(120, 2 * maxBatchSeconds);
}
/** HTTPS port of the NLB and ALB listeners. */
export const HTTPS_PORT = 443;
/** Path the ALB and NLB health checks call; the api answers it without touching DynamoDB. */
export const HEALTH_CHECK_PATH = "/health";

/** ECS waits this long after SIGTERM before SIGKILL; each service's shutdown budget stays below it. */
export const STOP_TIMEOUT_SECONDS = { api: 30, processor: 60 } as const;
/** What each service gets as SHUTDOWN_TIMEOUT_SECONDS: its stop timeout less a margin for the exit itself. */
export const SHUTDOWN_TIMEOUT_SECONDS = { api: 25, processor: 50 } as const;

/** SQS long polling: the longest wait SQS allows, so idle consumers make the fewest empty receives. */
export const RECEIVE_WAIT_SECONDS = 20;
/** Dead letters are kept for the SQS maximum so there is time to inspect and redrive them. */
export const DLQ_RETENTION_SECONDS = 1_209_600;

/**
 * API Gateway's integration timeout for the query API. The api service's DynamoDB retry budget stays well
 * below it, so a slow table becomes a 503 from the service rather than a 504 from the gateway.
 */
export const QUERY_INTEGRATION_TIMEOUT_MS = 10_000;

/** The ALB policy: TLS 1.3 with TLS 1.2 fallback, AEAD ciphers only, hybrid post-quantum key exchange. */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";
/** API Gateway custom domain policy: the highest API Gateway offers for REST APIs without extra features. */
export const CUSTOM_DOMAIN_SECURITY_POLICY = "TLS_1_2";

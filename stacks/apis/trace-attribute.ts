/**
 * The `trace` message attribute of the ingest integration's SendMessage: the request's X-Ray trace, so the processor
 * continues it deterministically (apps/shared/src/tracing-messages.ts).
 *
 * SQS also sets the `AWSTraceHeader` system attribute from the X-Amzn-Trace-Id of a SendMessage call, and the
 * processor prefers it (it carries the parent segment and the sampling decision); whether API Gateway's SQS
 * integration sends that header is not documented, so only AWS can prove it. `$context.xrayTraceId` is documented
 * for a stage with active tracing: its value is the trace id alone (`1-<8 hex>-<24 hex>`), so the attribute is
 * `Root=<trace id>`, an X-Ray trace header without a parent, which the processor joins as a root span of the same
 * trace. It costs one of SQS's 10 attributes per message and about 50 bytes.
 */

/** The attribute's name; the processor asks for it by this name (apps/processor/src/queue.ts). */
export const TRACE_ATTRIBUTE_NAME = "trace";

/**
 * Velocity that sets `$trace` to `Root=<trace id>`, or to "" when the stage has no trace id. The stages always have
 * X-Ray tracing on (rest-api-stage.ts), so on AWS the id is always there, even with `tracing.sample_rate` 0: tracing
 * off is decided by leaving this out of the template (send-message-template.ts), not by an empty id. The empty case
 * is for a gateway without one (a local run without the header): SQS rejects an attribute with an empty value, so an
 * empty `$trace` must send no attribute at all. The quotes keep
 * `$trace` a string even when the variable is missing (a `#set` to null would keep a previous value).
 */
export const TRACE_VELOCITY = `#set($trace = "")#if("$!context.xrayTraceId" != "")#set($trace = "Root=$context.xrayTraceId")#end`;

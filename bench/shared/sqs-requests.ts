/**
 * Counts the SQS API requests fauxqs serves in this process, by action, without touching the consumers: Node
 * publishes every incoming HTTP request on the `http.server.request.start` diagnostics channel, and the SQS JSON
 * protocol names the action in `X-Amz-Target`. SQS bills each request (up to 64 KB of payload), empty receives
 * included, so this is the consumer's SQS bill in requests.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";

const CHANNEL = "http.server.request.start";
/** Calls the bench itself makes to watch the queue; not the consumer's. */
const IGNORED = new Set([
  "GetQueueAttributes",
  "CreateQueue",
  "SendMessageBatch",
  "SendMessage",
  "PurgeQueue",
  "DeleteQueue",
  "GetQueueUrl",
]);

export interface SqsRequestCounter {
  /** Requests by action since the counter started (or was last reset). */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
  stop(): void;
}

export function countSqsRequests(): SqsRequestCounter {
  let counts: Record<string, number> = {};
  const onRequest = (message: unknown) => {
    const request = (message as { request?: IncomingMessage }).request;
    const target = request?.headers["x-amz-target"];
    if (typeof target !== "string") return;
    const action = target.slice(target.indexOf(".") + 1);
    if (IGNORED.has(action)) return;
    counts[action] = (counts[action] ?? 0) + 1;
  };
  subscribe(CHANNEL, onRequest);
  return {
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      counts = {};
    },
    stop: () => unsubscribe(CHANNEL, onRequest),
  };
}

import { buildItem } from "./domain.js";
import type { Prepared } from "./hook.js";
import type { Lease } from "./lease.js";
import type { Outcome, RunContext } from "./run-context.js";
import { isTransientStoreError, type ItemWriteResult } from "./store.js";
import { backoffMs, sleep } from "./timing.js";

/** What one write attempt did for one item, and so what happens to it next. */
export type WriteResult =
  /** Written by this attempt: durable. */
  | { readonly kind: "created" }
  /** An item with this requestId already existed (a redelivery): durable, nothing overwritten. */
  | { readonly kind: "duplicate" }
  /** DynamoDB rejected this item itself: resending it cannot help. */
  | { readonly kind: "rejected"; readonly reason: string }
  /** A request of several items was rejected for its content: resend them one by one to find the culprit. */
  | { readonly kind: "isolate" }
  /** The whole request failed transiently (throttling, 5xx, network, DynamoDB down): back off and resend. */
  | { readonly kind: "transient"; readonly error: unknown }
  /** This item's own put failed transiently: back off and resend. */
  | { readonly kind: "contended" }
  /** The shutdown budget ran out during the attempt: it may or may not have landed, so the message is released. */
  | { readonly kind: "interrupted" };

type Attempt = readonly [Prepared, WriteResult];

/** Writes a batch's items; one per processor. */
export interface Writer {
  /**
   * Writes the batch's items (one conditional put each), resending until each is created, a duplicate, or rejected.
   * Transient failures (throttling, 5xx, network, DynamoDB down) are retried here, with the lease extending the
   * messages' visibility, rather than by redelivery: redelivery would raise the receive count and push valid messages
   * toward the DLQ during an outage. If a multi-item request is rejected for its content, items are sent one by one
   * to find the culprit. Returns the outcome per messageId.
   */
  writeAll(entries: Prepared[], lease: Lease): Promise<Map<string, Outcome>>;
}

export function createWriter(ctx: RunContext): Writer {
  const { store, logger, counters } = ctx;

  /** One write request for a group; request-level errors become per-item results. */
  async function attemptWrite(group: Prepared[], isolated: boolean): Promise<Attempt[]> {
    const now = new Date();
    const items = group.map((e) =>
      buildItem({
        messageId: e.message.messageId,
        payload: e.payload,
        result: e.result,
        sentTimestamp: e.message.sentTimestamp,
        now,
        owner: e.owner,
      }),
    );
    const all = (result: WriteResult) => group.map((e): Attempt => [e, result]);
    try {
      const results = await store.putAllIfAbsent(items, ctx.work);
      return group.map((e, i): Attempt => [e, fromStore(results[i])]);
    } catch (error) {
      // The write may or may not have landed; releasing is safe either way (the redelivery is a duplicate).
      if (ctx.work.aborted) return all({ kind: "interrupted" });
      if (isTransientStoreError(error)) return all({ kind: "transient", error });
      // Rejected for its content as a whole: the culprit may be any item of the call, so isolate before blaming;
      // only an item sent alone (one by one, or the only item of its batch) is known to be the bad one.
      if (!isolated && group.length > 1) return all({ kind: "isolate" });
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return [[group[0]!, { kind: "rejected", reason }]];
    }
  }

  async function writeAll(entries: Prepared[], lease: Lease): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    // SQS may hand out the same message twice in one batch: write it once (the other copy is deleted with it).
    let pending = [...new Map(entries.map((e) => [e.message.messageId, e])).values()];
    let oneByOne = false;
    for (let attempt = 1; pending.length > 0;) {
      if (ctx.work.aborted) break;
      const groups = oneByOne ? pending.map((e) => [e]) : [pending];
      const results = (await Promise.all(groups.map((g) => attemptWrite(g, oneByOne)))).flat();
      const next: Prepared[] = [];
      let backoff = false;
      /** This attempt's request-level error, logged with the retry notice (none when only single puts contended). */
      let requestError: unknown;
      for (const [entry, result] of results) {
        switch (result.kind) {
          case "created":
            ctx.progress();
            counters.processed++;
            outcomes.set(entry.message.messageId, "created");
            break;
          case "duplicate":
            ctx.progress();
            counters.duplicate++;
            entry.log.info("item already stored (redelivery); deleting the message");
            outcomes.set(entry.message.messageId, "duplicate");
            break;
          case "rejected":
            counters.failed++;
            lease.drop(entry.message);
            entry.log.error({ reason: result.reason }, "item rejected by DynamoDB; message left for redelivery");
            outcomes.set(entry.message.messageId, "failed");
            break;
          case "isolate":
            oneByOne = true;
            next.push(entry);
            break;
          case "transient":
            requestError = result.error;
            backoff = true;
            next.push(entry);
            break;
          case "contended":
            // Pause before resending.
            backoff = true;
            next.push(entry);
            break;
          case "interrupted":
            // The loop stops on the aborted signal and releases it.
            next.push(entry);
            break;
          default: {
            const _exhaustive: never = result;
            throw new Error(`unhandled write result ${JSON.stringify(_exhaustive)}`);
          }
        }
      }
      pending = next;
      if (pending.length > 0 && backoff) {
        counters.writeRetries++;
        // One line per batch at the first failure and then every 10th, not one per attempt during an outage.
        const level = attempt === 1 || attempt % 10 === 0 ? "warn" : "debug";
        logger[level]({ attempt, pending: pending.length, err: requestError }, "write failed; retrying");
        await sleep(backoffMs(attempt, 100, 5_000), ctx.work);
        attempt++;
      }
    }
    // Out of shutdown budget: whatever is not known to be written is released (a landed write makes it a duplicate).
    for (const entry of pending) outcomes.set(entry.message.messageId, "release");
    return outcomes;
  }

  return { writeAll };
}

/** The store's per-item result as a WriteResult; a missing one is resent like a contended put. */
function fromStore(result: ItemWriteResult | undefined): WriteResult {
  if (result === undefined) return { kind: "contended" };
  return typeof result === "object" ? { kind: "rejected", reason: result.rejected } : { kind: result };
}

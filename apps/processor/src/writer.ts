import type { RequestItem } from "./domain.js";
import type { ItemStore, ItemWriteResult } from "./store.js";

/**
 * Group commit over the item store. Batches submitted while earlier writes are in flight are coalesced into one
 * conditional transaction (up to MAX_ITEMS items / MAX_BYTES), so under load the processor sends a few large writes
 * instead of many small ones (the bench shows DynamoDB's per-request cost dominates), while an idle processor still
 * writes each batch at once: no timer, no added latency.
 */

/** Items per transaction: DynamoDB allows 100; 50 keeps a cancelled transaction's resend cheap. */
const MAX_ITEMS = 50;
/** DynamoDB caps a transaction at 4 MB; stay well under it with an estimate (body size plus attribute overhead). */
const MAX_BYTES = 3 * 1024 * 1024;

interface Submission {
  readonly items: readonly RequestItem[];
  readonly bytes: number;
  readonly signal: AbortSignal | undefined;
  resolve(results: ItemWriteResult[]): void;
  reject(error: unknown): void;
}

export interface GroupWriter {
  /** Same contract as ItemStore.putAllIfAbsent; the items may travel with other batches' items. */
  write(items: readonly RequestItem[], bytes: number, signal?: AbortSignal): Promise<ItemWriteResult[]>;
}

export function createGroupWriter(store: ItemStore, maxConcurrentWrites: number): GroupWriter {
  const queued: Submission[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // Let submissions from the same tick (several batches finishing together) join the first write.
    setImmediate(() => {
      scheduled = false;
      // The first write goes out at once (an idle processor adds no latency); further concurrent writes only
      // when a full group is waiting, so extra slots add throughput without splitting the load into small requests.
      while (inFlight < maxConcurrentWrites && queued.length > 0 && (inFlight === 0 || queuedItems() >= MAX_ITEMS)) {
        void flush(takeGroup());
      }
    });
  }

  function queuedItems(): number {
    let n = 0;
    for (const s of queued) n += s.items.length;
    return n;
  }

  function takeGroup(): Submission[] {
    const group: Submission[] = [];
    let items = 0;
    let bytes = 0;
    const ids = new Set<string>();
    while (queued.length > 0) {
      const next = queued[0]!;
      if (group.length > 0 && (items + next.items.length > MAX_ITEMS || bytes + next.bytes > MAX_BYTES)) break;
      // A redelivered copy of an item already in this group waits for the next write (a transaction cannot touch
      // one item twice); it will then come back as a duplicate.
      if (next.items.some((item) => ids.has(item.requestId))) break;
      for (const item of next.items) ids.add(item.requestId);
      group.push(queued.shift()!);
      items += next.items.length;
      bytes += next.bytes;
    }
    return group;
  }

  async function flush(group: Submission[]): Promise<void> {
    inFlight++;
    try {
      // A submission whose batch gave up (shutdown) is not written; the others go ahead.
      const live = group.filter((s) => !s.signal?.aborted);
      for (const s of group) if (s.signal?.aborted) s.reject(new Error("aborted before the write was sent"));
      if (live.length === 0) return;
      const signal = live[0]!.signal;
      try {
        const results = await store.putAllIfAbsent(live.flatMap((s) => s.items), signal);
        let offset = 0;
        for (const s of live) {
          s.resolve(results.slice(offset, offset + s.items.length));
          offset += s.items.length;
        }
      } catch (error) {
        for (const s of live) s.reject(error);
      }
    } finally {
      inFlight--;
      if (queued.length > 0) schedule();
    }
  }

  return {
    write(items, bytes, signal) {
      return new Promise<ItemWriteResult[]>((resolve, reject) => {
        queued.push({ items, bytes, signal, resolve, reject });
        schedule();
      });
    },
  };
}

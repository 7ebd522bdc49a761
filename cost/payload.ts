import { buildItem, parseBody, summarize } from "../apps/processor/src/domain.js";
import { itemSizeBytes } from "./capacity.js";

/**
 * The pinned benchmark payload: a 768-byte JSON body. Its item (the body plus ids, timestamps and the default summary)
 * stays under 1 KB, so it costs one write unit with PutItem; a 1 KB body would not (its item would cost two units with
 * any strategy). Write units depend on item size, so every bench uses these bodies.
 */
export const BENCH_BODY_BYTES = 768;

export function benchBody(i: number): string {
  const shape = (text: string) =>
    JSON.stringify({ tag: "bench", index: i, text, nested: { ok: true, list: [i, String(i)] } });
  return shape("x".repeat(BENCH_BODY_BYTES - Buffer.byteLength(shape(""))));
}

/** Stored item bytes minus body bytes for the pinned payload, with a UUID MessageId as SQS gives and an expiry. */
export function itemOverheadBytes(): number {
  const body = benchBody(123_457);
  const parsed = parseBody(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  const result = summarize(parsed.payload, { messageId: "m", body, signal: new AbortController().signal });
  const item = buildItem({
    messageId: "3f1c2a4e-1b2c-4d5e-8f90-123456789abc",
    payload: parsed.payload,
    result,
    sentTimestamp: "1764400000000",
    now: new Date(0),
  });
  // The expiry the processor stamps by default (apps/shared/src/result-expiry.ts): a ten-digit epoch second.
  return itemSizeBytes({ ...item, expiresAt: 1_765_004_800 }) - Buffer.byteLength(body);
}

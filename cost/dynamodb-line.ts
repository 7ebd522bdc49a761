import { readUnits, writeUnits } from "./capacity.js";
import type { Infra } from "./infra.js";
import type { PriceTable } from "./prices.js";

/**
 * The DynamoDB line: write units per item, read units per GET, and storage (with point-in-time recovery) at steady
 * state. With result expiry the table holds the retention's worth of items plus what TTL has not deleted yet; without
 * it, storage grows every month and the bill charges the least it can be, one month of items.
 */
export interface DynamoLoad {
  /** Items written per month. */
  readonly items: number;
  /** GET /requests/{id} calls per month. */
  readonly gets: number;
  /** Stored bytes per item (DynamoDB's accounting, without its per-item index overhead). */
  readonly itemBytes: number;
  /** Share of the GETs that find their item. */
  readonly hitShare: number;
}

export interface DynamoLine {
  readonly usd: number;
  readonly detail: string;
}

const GB = 1e9;
const MILLION = 1e6;

/**
 * A client reads until it finds its result, then stops: one GET per request finds its item and the others come too
 * early. With one GET or fewer per request, every GET finds its item.
 */
export function defaultHitShare(readsPerRequest: number): number {
  return readsPerRequest <= 1 ? 1 : 1 / readsPerRequest;
}

/**
 * Read units per GET. `strong`: one strongly consistent read, hit or miss. `eventual_first`: an eventually
 * consistent read (half the units); a miss is read again strongly consistent, so it costs one and a half. Eventual
 * first is cheaper while hits are more than half of the GETs (0.5 h + 1.5 (1 - h) < 1 when h > 0.5).
 */
export function readUnitsPerGet(itemBytes: number, hitShare: number, mode: string): number {
  const strong = readUnits(itemBytes, true);
  if (mode === "strong") return strong;
  const eventual = readUnits(itemBytes, false);
  // A miss reads nothing, so it is billed the minimum: half a unit eventually consistent, one strongly.
  return hitShare * eventual + (1 - hitShare) * (readUnits(0, false) + readUnits(0, true));
}

/** Months of items the table holds at steady state. */
export function storedMonths(infra: Pick<Infra, "resultRetentionDays">, prices: PriceTable): number {
  const a = prices.assumptions;
  if (infra.resultRetentionDays === null) return a.storedMonthsOfItems;
  return (infra.resultRetentionDays + a.ttlDeletionLagDays) / (a.daysPerYear / 12);
}

export function dynamoLine(load: DynamoLoad, infra: Infra, prices: PriceTable): DynamoLine {
  const p = prices.prices;
  const wcu = writeUnits(load.itemBytes);
  // Unset, the api reads eventual first (apps/api/src/config.ts).
  const mode = infra.services.api.environment.READ_CONSISTENCY ?? "eventual_first";
  const rcu = readUnitsPerGet(load.itemBytes, load.hitShare, mode);
  const months = storedMonths(infra, prices);
  const storedGb = (load.items * months * (load.itemBytes + prices.assumptions.dynamoItemOverheadBytes)) / GB;
  const usd =
    ((load.items * wcu) / MILLION) * p.dynamoMillionWriteUnits.usd +
    ((load.gets * rcu) / MILLION) * p.dynamoMillionReadUnits.usd +
    storedGb * (p.dynamoStorageGbMonth.usd + (infra.pointInTimeRecovery ? p.dynamoPitrGbMonth.usd : 0));
  const kept =
    infra.resultRetentionDays === null
      ? "items never expire: storage grows every month, this is one month of it"
      : `items expire after ${infra.resultRetentionDays} days (+ ${prices.assumptions.ttlDeletionLagDays} days TTL lag): steady state`;
  return {
    usd,
    detail: `${load.itemBytes}-byte items: ${wcu} write unit(s) each (conditional PutItem), ${round(rcu, 3)} read unit(s) per GET (${mode === "strong" ? "strongly consistent" : `eventually consistent first, ${round(load.hitShare * 100, 1)}% hits`}); ${round(storedGb, 3)} GB stored${infra.pointInTimeRecovery ? " (+ PITR)" : ""}, ${kept}`,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

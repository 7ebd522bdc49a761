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
}

export interface DynamoLine {
  readonly usd: number;
  readonly detail: string;
}

const GB = 1e9;
const MILLION = 1e6;

/** Months of items the table holds at steady state. */
export function storedMonths(infra: Pick<Infra, "resultRetentionDays">, prices: PriceTable): number {
  const a = prices.assumptions;
  if (infra.resultRetentionDays === null) return a.storedMonthsOfItems;
  return (infra.resultRetentionDays + a.ttlDeletionLagDays) / (a.daysPerYear / 12);
}

export function dynamoLine(load: DynamoLoad, infra: Infra, prices: PriceTable): DynamoLine {
  const p = prices.prices;
  const wcu = writeUnits(load.itemBytes);
  const rcu = readUnits(load.itemBytes, true);
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
    detail: `${load.itemBytes}-byte items: ${wcu} write unit(s) each (conditional PutItem), ${rcu} read unit(s) per strongly consistent GET; ${round(storedGb, 3)} GB stored${infra.pointInTimeRecovery ? " (+ PITR)" : ""}, ${kept}`,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

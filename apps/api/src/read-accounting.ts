/** How the api reads a request: eventually consistent first with a strongly consistent retry on a miss, or strongly. */
export const READ_CONSISTENCIES = ["eventual_first", "strong"] as const;
export type ReadConsistency = (typeof READ_CONSISTENCIES)[number];

/**
 * One time budget for everything a request reads (both reads of an eventual-first miss). A controller cleared on
 * completion, not AbortSignal.timeout(): that one stays alive (with the SDK's listener and everything the request
 * references) until the timer fires, which costs tens of MB at load.
 */
export class ReadBudget {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => this.controller.abort(), ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

export interface ReadUnitTotals {
  readonly gets: number;
  readonly units: number;
}

/** Read units DynamoDB reported, split by whether the GET found its item (200) or not (404): what AWS bills. */
export class ReadUnitCounter {
  private readonly totals = { hits: { gets: 0, units: 0 }, misses: { gets: 0, units: 0 } };

  add(found: boolean, units: number): void {
    const bucket = found ? this.totals.hits : this.totals.misses;
    bucket.gets += 1;
    bucket.units += units;
  }

  snapshot(): { readonly hits: ReadUnitTotals; readonly misses: ReadUnitTotals } {
    return { hits: { ...this.totals.hits }, misses: { ...this.totals.misses } };
  }
}

import { describe, expect, test } from "vitest";
import { accessWarnings, methodCapacities } from "../../config/capacity.js";
import { clientsOf, fastestClientRate } from "../../config/access-fields.js";
import { parseConfig } from "../../config/load.js";
import { configWarnings } from "../../config/warnings.js";
import { exampleConfigInput } from "../support/synth.js";

/** The example var file with `changes` on top (top-level keys only). */
const config = (changes: Record<string, unknown> = {}) => parseConfig({ ...exampleConfigInput(), ...changes });
const client = (name: string, rate: number, apis = ["ingest", "query"]) => ({
  name,
  rate_limit: rate,
  burst_limit: rate * 2,
  apis,
});

describe("clients, limits and capacity", () => {
  test("capacity: the example's method limit is within what both backends sustain at max_count", () => {
    const example = config();
    expect(methodCapacities(example).map((c) => [c.api, c.sustained])).toEqual([
      ["ingest", 1000],
      ["query", 1000],
    ]);
    expect(accessWarnings(example)).toEqual([]);
  });

  test("warnings: clients whose rates add up past an API's method limit are reported with the ratio", () => {
    const warnings = accessWarnings(config({ clients: [client("web", 80), client("batch", 40, ["ingest"])] }));
    expect(warnings).toEqual([
      "clients: the ingest API is overbooked 1.2x: its clients' rates add up to 120 requests/s, its methods accept 100 (throttle_rate_limit); when all send at once, some get 429",
    ]);
  });

  test("warnings: what synth, policy, cost and local print includes the access warnings", () => {
    const overbooked = config({ clients: [client("web", 80), client("batch", 40, ["ingest"])] });
    expect(configWarnings(overbooked)).toEqual(accessWarnings(overbooked));
    expect(configWarnings(overbooked)).toHaveLength(1);
  });

  test("warnings: a client's rate above the method limit can never be reached", () => {
    const warnings = accessWarnings(config({ clients: [client("web", 150, ["query"])] }));
    expect(warnings).toContain(
      "clients: web's rate_limit 150 is above the query API's method limit 100: it can never be reached there",
    );
  });

  test("warnings: three methods at the limit past the account's regional rate", () => {
    const warnings = accessWarnings(
      config({ throttle_rate_limit: 4_000, throttle_above_capacity_reason: "spikes land in the queue", clients: null }),
    );
    expect(warnings).toEqual([
      "throttle_rate_limit: the 3 methods together may take 12000 requests/s, above API Gateway's account limit of 10000/s per region (shared with every other API there): ask AWS for more or lower it",
    ]);
  });

  test("warnings: a method limit of exactly a third of the account's rate is within it", () => {
    const atShare = { throttle_rate_limit: 10_000 / 3, throttle_above_capacity_reason: "spikes land in the queue" };
    expect(accessWarnings(config({ ...atShare, clients: null }))).toEqual([]);
  });

  test("warnings: without API keys, clients are not counted", () => {
    expect(accessWarnings(config({ api_key_required: false, clients: null }))).toEqual([]);
  });

  test("clients: without a list, one client named default holds the key-wide limits on both APIs", () => {
    const single = config({ clients: null, quota_per_day: 500 });
    expect(clientsOf(single)).toEqual([
      { name: "default", rate_limit: 100, burst_limit: 200, quota_per_day: 500, apis: ["ingest", "query"] },
    ]);
    expect(config({ clients: [{ name: "web", rate_limit: 5, burst_limit: 5 }] }).clients).toEqual([
      { name: "web", rate_limit: 5, burst_limit: 5, quota_per_day: null, apis: ["ingest", "query"] },
    ]);
  });

  test("clients: the fastest client's rate, or the method limit when no key is required", () => {
    const keyed = config({ clients: [client("web", 30), client("batch", 70, ["ingest"])] });
    expect(fastestClientRate(keyed)).toBe(70);
    expect(fastestClientRate({ ...keyed, api_key_required: false })).toBe(100);
  });

  test("capacity: nothing to compare without both services", () => {
    expect(methodCapacities({})).toEqual([]);
    expect(methodCapacities({ services: { api: config().services.api } })).toEqual([]);
  });
});

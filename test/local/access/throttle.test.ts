import { describe, expect, test } from "vitest";
import { periodStart, UsageMeter } from "../../../local/gateway/access/throttle.js";
import type { ApiKeyModel, UsagePlanModel } from "../../../local/gateway/model.js";

/**
 * Usage plans and the stage's method throttle, as the local gateway meters them: which request gets THROTTLED or
 * QUOTA_EXCEEDED (429) and which passes, on a clock the test owns.
 */
const key = (resource: string, plan: Partial<UsagePlanModel> = {}): ApiKeyModel => ({
  resource,
  name: resource,
  value: resource,
  plan: { resource: `plan-${resource}`, throttle: { rate: 1, burst: 2 }, quota: undefined, ...plan },
});
/** The refusal types (or "ok") of `count` requests of `key` to `m`, all at the meter's current time. */
const burst = (meter: UsageMeter, count: number, apiKey?: ApiKeyModel, stage?: { rate: number; burst: number }) =>
  Array.from({ length: count }, () => meter.admit("m", stage, apiKey)?.type ?? "ok");

describe("local gateway access: usage plan throttle", () => {
  test("a client over its burst gets THROTTLED while another client is unaffected", () => {
    const meter = new UsageMeter(() => 0);
    expect(burst(meter, 3, key("a"))).toEqual(["ok", "ok", "THROTTLED"]);
    expect(burst(meter, 1, key("b"))).toEqual(["ok"]);
  });

  test("tokens refill at the rate: one per second at rate 1, none after half a second", () => {
    let now = 10_000;
    const meter = new UsageMeter(() => now);
    const a = key("a");
    expect(burst(meter, 3, a)).toEqual(["ok", "ok", "THROTTLED"]);
    now += 500;
    expect(burst(meter, 1, a)).toEqual(["THROTTLED"]);
    now += 500;
    expect(burst(meter, 2, a)).toEqual(["ok", "THROTTLED"]);
  });

  test("an idle client saves up no more than its burst", () => {
    let now = 0;
    const meter = new UsageMeter(() => now);
    const a = key("a");
    expect(burst(meter, 1, a)).toEqual(["ok"]);
    now += 60_000;
    expect(burst(meter, 3, a)).toEqual(["ok", "ok", "THROTTLED"]);
  });

  test("a clock that steps back neither refills nor drains a bucket", () => {
    let now = 5000;
    const meter = new UsageMeter(() => now);
    const a = key("a");
    expect(burst(meter, 1, a)).toEqual(["ok"]);
    now = 1000;
    expect(burst(meter, 2, a)).toEqual(["ok", "THROTTLED"]);
  });

  test("a plan without a throttle or quota lets every request through", () => {
    const meter = new UsageMeter(() => 0);
    expect(burst(meter, 5, key("free", { throttle: undefined }))).toEqual(["ok", "ok", "ok", "ok", "ok"]);
  });

  test("a keyless method is limited by the stage throttle alone, and not at all without one", () => {
    const meter = new UsageMeter(() => 0);
    expect(burst(meter, 3)).toEqual(["ok", "ok", "ok"]);
    expect(burst(meter, 2, undefined, { rate: 1, burst: 1 })).toEqual(["ok", "THROTTLED"]);
  });
});

describe("local gateway access: usage plan quota", () => {
  test("the daily quota answers QUOTA_EXCEEDED until the next UTC day", () => {
    let now = Date.UTC(2026, 0, 1, 23, 59, 0);
    const meter = new UsageMeter(() => now);
    const limited = key("q", { throttle: undefined, quota: { limit: 2, period: "DAY" } });
    expect(burst(meter, 3, limited)).toEqual(["ok", "ok", "QUOTA_EXCEEDED"]);
    now += 60_000;
    expect(burst(meter, 3, limited)).toEqual(["ok", "ok", "QUOTA_EXCEEDED"]);
  });

  test("each key has its own quota, even on the same plan", () => {
    const meter = new UsageMeter(() => 0);
    const plan = { resource: "shared", throttle: undefined, quota: { limit: 1, period: "DAY" as const } };
    const a = { ...key("a"), plan };
    const b = { ...key("b"), plan };
    expect([...burst(meter, 2, a), ...burst(meter, 2, b)]).toEqual(["ok", "QUOTA_EXCEEDED", "ok", "QUOTA_EXCEEDED"]);
  });

  test("a throttled request uses no quota", () => {
    let now = 0;
    const meter = new UsageMeter(() => now);
    const limited = key("q", { throttle: { rate: 1, burst: 1 }, quota: { limit: 2, period: "DAY" } });
    expect(burst(meter, 3, limited)).toEqual(["ok", "THROTTLED", "THROTTLED"]);
    now += 1000;
    expect(burst(meter, 1, limited)).toEqual(["ok"]);
    now += 1000;
    expect(burst(meter, 1, limited)).toEqual(["QUOTA_EXCEEDED"]);
  });

  test("quota periods start at UTC midnight, on Monday for a week and on the 1st for a month", () => {
    const at = (iso: string) => Date.parse(iso);
    expect(periodStart("DAY", at("2026-01-07T10:30:00Z"))).toBe(at("2026-01-07T00:00:00Z"));
    // 2026-01-05 is a Monday.
    expect(periodStart("WEEK", at("2026-01-07T10:30:00Z"))).toBe(at("2026-01-05T00:00:00Z"));
    expect(periodStart("WEEK", at("2026-01-11T23:59:59Z"))).toBe(at("2026-01-05T00:00:00Z"));
    expect(periodStart("WEEK", at("2026-01-12T00:00:00Z"))).toBe(at("2026-01-12T00:00:00Z"));
    expect(periodStart("MONTH", at("2026-02-28T23:00:00Z"))).toBe(at("2026-02-01T00:00:00Z"));
  });

  test("a weekly quota renews on Monday, a monthly one on the 1st", () => {
    let now = Date.parse("2026-01-11T23:00:00Z");
    const meter = new UsageMeter(() => now);
    const weekly = key("w", { throttle: undefined, quota: { limit: 1, period: "WEEK" } });
    const monthly = key("m", { throttle: undefined, quota: { limit: 1, period: "MONTH" } });
    expect([...burst(meter, 2, weekly), ...burst(meter, 2, monthly)]).toEqual([
      "ok",
      "QUOTA_EXCEEDED",
      "ok",
      "QUOTA_EXCEEDED",
    ]);
    now = Date.parse("2026-01-12T00:00:00Z");
    expect([...burst(meter, 1, weekly), ...burst(meter, 1, monthly)]).toEqual(["ok", "QUOTA_EXCEEDED"]);
    now = Date.parse("2026-02-01T00:00:00Z");
    expect(burst(meter, 1, monthly)).toEqual(["ok"]);
  });
});

describe("local gateway access: stage method throttle", () => {
  test("applies to every caller of the method together, per method, before the key's own limits", () => {
    const meter = new UsageMeter(() => 0);
    const stage = { rate: 1, burst: 1 };
    expect(meter.admit("m", stage, key("a"))).toBeUndefined();
    expect(meter.admit("m", stage, key("b"))).toEqual({ type: "THROTTLED" });
    expect(meter.admit("other", stage, key("b"))).toBeUndefined();
    const limited = key("q", { throttle: undefined, quota: { limit: 1, period: "DAY" } });
    expect(meter.admit("third", stage, limited)).toBeUndefined();
    expect(meter.admit("third", stage, limited)).toEqual({ type: "THROTTLED" });
    expect(meter.admit("fourth", stage, limited)).toEqual({ type: "QUOTA_EXCEEDED" });
  });

  test("without a clock the meter reads the real one", () => {
    const meter = new UsageMeter();
    expect(meter.admit("m", { rate: 0, burst: 1 }, undefined)).toBeUndefined();
    expect(meter.admit("m", { rate: 0, burst: 1 }, undefined)).toEqual({ type: "THROTTLED" });
  });
});

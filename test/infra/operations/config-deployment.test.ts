import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../config/load.js";
import { exampleConfigInput } from "../../support/example-config.js";

const services = () => exampleConfigInput().services as Record<string, Record<string, unknown>>;

describe("config: services.*.deployment", () => {
  test("config: the api defaults to a 10 % canary with 5 + 10 bake minutes, the processor to rolling", () => {
    const config = parseConfig(exampleConfigInput());
    expect(config.services.api.deployment).toEqual({
      strategy: "canary",
      canary_percent: 10,
      canary_bake_minutes: 5,
      bake_minutes: 10,
    });
    expect(config.services.processor.deployment).toEqual({ strategy: "rolling" });
  });

  test("config: fails when a bake time is shorter than the rollback alarms' window, naming the field", () => {
    const s = services();
    expect(() =>
      parseConfig({
        ...exampleConfigInput(),
        services: { ...s, api: { ...s.api, deployment: { strategy: "blue_green", bake_minutes: 4 } } },
      }),
    ).toThrow(/services\.api\.deployment\.bake_minutes[^]*rollback alarms' window/);
  });

  test("config: fails when the processor asks for a strategy that needs a load balancer", () => {
    const s = services();
    expect(() =>
      parseConfig({
        ...exampleConfigInput(),
        services: { ...s, processor: { ...s.processor, deployment: { strategy: "canary" } } },
      }),
    ).toThrow(/services\.processor\.deployment\.strategy/);
  });

  /** The example with the api's deployment replaced. */
  const withApiDeployment = (deployment: unknown) => {
    const s = services();
    return () => parseConfig({ ...exampleConfigInput(), services: { ...s, api: { ...s.api, deployment } } });
  };

  test("config: a linear api deployment takes 25 % steps 5 minutes apart by default, each step 3-100 %", () => {
    expect(withApiDeployment({ strategy: "linear" })().services.api.deployment).toEqual({
      strategy: "linear",
      step_percent: 25,
      step_bake_minutes: 5,
      bake_minutes: 10,
    });
    expect(withApiDeployment({ strategy: "linear", step_percent: 3 })).not.toThrow();
    expect(withApiDeployment({ strategy: "linear", step_percent: 100 })).not.toThrow();
    expect(withApiDeployment({ strategy: "linear", step_percent: 2 })).toThrow(/deployment\.step_percent/);
    expect(withApiDeployment({ strategy: "linear", step_percent: 101 })).toThrow(/deployment\.step_percent/);
  });

  test("config: a rolling api deployment's reason is 1-300 characters when given", () => {
    expect(withApiDeployment({ strategy: "rolling" })).not.toThrow();
    expect(withApiDeployment({ strategy: "rolling", reason: "x".repeat(300) })).not.toThrow();
    expect(withApiDeployment({ strategy: "rolling", reason: "" })).toThrow(/deployment\.reason/);
    expect(withApiDeployment({ strategy: "rolling", reason: "x".repeat(301) })).toThrow(/deployment\.reason/);
  });
});

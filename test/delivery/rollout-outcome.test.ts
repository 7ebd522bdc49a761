/**
 * The deploy's wait for ECS deployments (scripts/rollout-outcome.ts): AWS is stubbed only where the module asks it
 * for a service's deployments, with a fake clock, so every outcome and the time bound are checked without AWS.
 */
import { describe, expect, it } from "vitest";
import { EXIT, exitCodeOf, judge, waitForRollouts, type ServiceDeployment } from "../../scripts/rollout-outcome.js";
import { main } from "../../scripts/wait-rollout.js";

const SINCE = Date.parse("2026-12-06T18:00:00Z");
const deployment = (status: string, minutesAfter = 1, statusReason?: string): ServiceDeployment => ({
  arn: `arn:aws:ecs:eu-west-1:123456789012:service-deployment/orders-prod/api/${status}-${minutesAfter}`,
  status,
  statusReason,
  createdAt: SINCE + minutesAfter * 60_000,
});

/** Each service answers the next status of its script on each poll (the last one repeats). */
function run(scripts: Record<string, (ServiceDeployment | null)[]>, timeoutMs = 60 * 60_000) {
  let clock = SINCE;
  const polls: Record<string, number> = {};
  const lines: string[] = [];
  const result = waitForRollouts({
    services: Object.keys(scripts),
    since: SINCE,
    timeoutMs,
    pollMs: 15_000,
    deploymentsOf: (service) => {
      const script = scripts[service]!;
      const step = script[Math.min(polls[service] ?? 0, script.length - 1)];
      polls[service] = (polls[service] ?? 0) + 1;
      return Promise.resolve(step ? [step] : []);
    },
    now: () => clock,
    sleep: (ms) => {
      clock += ms;
      return Promise.resolve();
    },
    log: (line) => lines.push(line),
  });
  return result.then((outcomes) => ({ outcomes, lines, elapsed: clock - SINCE, polls, code: exitCodeOf(outcomes) }));
}

describe("rollout outcome: judging one service", () => {
  it("judge: no deployment since the deploy began means the service did not change", () => {
    expect(judge([deployment("SUCCESSFUL", -5)], SINCE)).toEqual({ kind: "unchanged" });
  });

  it("judge: takes the newest deployment since the deploy began", () => {
    const outcome = judge([deployment("ROLLBACK_SUCCESSFUL", 1), deployment("SUCCESSFUL", 2)], SINCE);
    expect(outcome.kind).toBe("completed");
  });

  it.each([
    ["PENDING", "in-progress"],
    ["IN_PROGRESS", "in-progress"],
    ["SUCCESSFUL", "completed"],
    ["ROLLBACK_REQUESTED", "rolled-back"],
    ["ROLLBACK_IN_PROGRESS", "rolled-back"],
    ["ROLLBACK_SUCCESSFUL", "rolled-back"],
    ["ROLLBACK_FAILED", "rolled-back"],
    ["STOP_REQUESTED", "stopped"],
    ["STOPPED", "stopped"],
  ])("judge: %s is %s", (status, kind) => {
    expect(judge([deployment(status)], SINCE).kind).toBe(kind);
  });
});

describe("rollout outcome: waiting for both services", () => {
  it("wait: exits 0 once every deployment completed, and stops asking about a finished service", async () => {
    const result = await run({
      api: [deployment("IN_PROGRESS"), deployment("IN_PROGRESS"), deployment("SUCCESSFUL")],
      processor: [null],
    });
    expect(result.code).toBe(EXIT.ok);
    expect(result.polls).toEqual({ api: 3, processor: 1 });
    expect(result.lines).toEqual([
      expect.stringMatching(/^api: in-progress \(IN_PROGRESS\)/),
      "processor: no new deployment (the deploy did not change the service)",
      expect.stringMatching(/^api: completed \(SUCCESSFUL\)/),
    ]);
  });

  it("wait: exits 1 on a rollback without waiting for ECS to finish it, and says why", async () => {
    const reason = "Service deployment rolled back because alarm orders-prod-alb-target-5xx-rate is in ALARM";
    const result = await run({
      api: [deployment("IN_PROGRESS"), deployment("ROLLBACK_IN_PROGRESS", 1, reason)],
      processor: [deployment("SUCCESSFUL")],
    });
    expect(result.code).toBe(EXIT.failed);
    expect(result.outcomes.api!.kind).toBe("rolled-back");
    expect(result.lines.at(-1)).toContain(reason);
  });

  it("wait: exits 1 when a deployment was stopped", async () => {
    expect((await run({ api: [deployment("STOPPED")] })).code).toBe(EXIT.failed);
  });

  it("wait: gives up at the bound with exit 3 while a deployment still runs", async () => {
    const result = await run({ api: [deployment("IN_PROGRESS")] }, 10 * 60_000);
    expect(result.code).toBe(EXIT.timedOut);
    expect(result.elapsed).toBe(10 * 60_000);
  });
});

describe("wait-rollout CLI", () => {
  it("cli: --help prints the usage and exits 0", async () => {
    expect(await main(["--help"])).toBe(0);
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--since", "2026-12-06T18:00:00Z"], /--stack-dir is required/],
    [["--stack-dir", "x", "--since", "yesterday"], /--since: expected an ISO time, got "yesterday"/],
    [["--stack-dir", "x", "--since", "2026-12-06T18:00:00Z", "--timeout-minutes", "0"], /--timeout-minutes/],
  ])("cli: %j is refused with usage and exit 2", async (args, message) => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      expect(await main(args)).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toMatch(message);
    expect(errors.join("\n")).toContain("usage: tsx scripts/wait-rollout.ts");
  });
});

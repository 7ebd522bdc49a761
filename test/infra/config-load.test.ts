import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  ConfigError,
  jsonSyntaxProblem,
  loadDeployConfig,
  loadDeployConfigOrExit,
  parseConfig,
} from "../../config/load.js";
import { exampleConfigInput } from "../support/example-config.js";

/**
 * config/load.ts in-process (test/infra/synth-entry.test.ts runs the same through `npm run synth`, which mutation
 * testing cannot see into): reading the file, the error the user sees, freezing, and the command-line exit.
 */
const dir = mkdtempSync(join(tmpdir(), "config-load-"));
const fileWith = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const thrown = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("config: loadDeployConfig", () => {
  test("config: loadDeployConfig reads, validates and deeply freezes the file", () => {
    const input = {
      ...exampleConfigInput(),
      tags: { team: "orders" },
      alarms: { email_subscriptions: ["oncall@example.com"] },
    };
    const config = loadDeployConfig(fileWith("good.json", JSON.stringify(input)));
    expect(config.project).toBe("orders");
    for (const part of [
      config,
      config.services,
      config.services.processor,
      config.alarms,
      config.alarms.email_subscriptions,
      config.tags,
      config.state_backend,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => config.alarms.email_subscriptions.push("x")).toThrow(TypeError);
  });

  test("config: loadDeployConfig reads terraform.tfvars.json from the working directory by default", () => {
    expect(loadDeployConfig().project).toBe(exampleConfigInput().project);
  });

  test("config: fails when the file cannot be read, naming the file and the reason", () => {
    const missing = join(dir, "missing.json");
    const error = thrown(() => loadDeployConfig(missing));
    expect(error.file).toBe(missing);
    expect(error.problems).toEqual([expect.stringMatching(/^cannot be read: ENOENT: no such file or directory/)]);
    expect(error.message).toMatch(new RegExp(`^${missing} is invalid \\(1 problem\\):\\n  - cannot be read: ENOENT`));
  });

  test("config: fails when the file is not JSON, with the parser's reason at a line and column", () => {
    const file = fileWith("bad.json", '{\n  "project": "orders",\n  "region": "eu-west-1",\n}\n');
    const error = thrown(() => loadDeployConfig(file));
    expect(error.problems).toEqual(["is not valid JSON at line 4, column 1: Expected double-quoted property name"]);
    expect(error.message).toBe(`${file} is invalid (1 problem):\n  - ${error.problems[0]}`);
    expect(thrown(() => loadDeployConfig(fileWith("first.json", "{ not json"))).problems).toEqual([
      expect.stringMatching(/^is not valid JSON at line 1, column 3: /),
    ]);
  });

  test("config: a JSON error without a position is reported with the parser's reason alone", () => {
    expect(jsonSyntaxProblem("", new SyntaxError("Unexpected end of JSON input"))).toBe(
      "is not valid JSON: Unexpected end of JSON input",
    );
  });

  test("config: the error lists every problem, one indented line each, with a plural count", () => {
    const file = fileWith("two.json", JSON.stringify({ ...exampleConfigInput(), vpc_id: "vpc-1", region: "europe" }));
    const error = thrown(() => loadDeployConfig(file));
    expect(error.name).toBe("ConfigError");
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      `${file} is invalid (2 problems):\n` +
        `  - region: expected an AWS region such as eu-west-1 (got "europe")\n` +
        `  - vpc_id: expected a VPC id such as vpc-0123456789abcdef0 (got "vpc-1")`,
    );
  });

  test("config: parseConfig names terraform.tfvars.json unless told another file", () => {
    expect(thrown(() => parseConfig({})).file).toBe("terraform.tfvars.json");
    expect(thrown(() => parseConfig({}, "x.json")).message).toMatch(/^x\.json is invalid \(\d+ problems\):/);
  });

  test("config: a cross-field problem found by both passes (zod's refinement and parseConfig's) is listed once", () => {
    const input = structuredClone(exampleConfigInput()) as Record<string, any>;
    input.services.api.memory = 8192; // a cross-field problem...
    input.vpc_id = "vpc-1"; // ...and a "continuable" field failure, after which zod still runs the refinement
    const { problems } = thrown(() => parseConfig(input));
    expect(problems.filter((p) => p.startsWith("services.api.memory"))).toHaveLength(1);
  });
});

describe("config: loadDeployConfigOrExit (command-line entry points)", () => {
  let stderr: string;
  beforeEach(() => {
    stderr = "";
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
    vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  test("config: loads the file it is given", () => {
    const input = { ...exampleConfigInput(), project: "named" };
    expect(loadDeployConfigOrExit(fileWith("named.json", JSON.stringify(input))).project).toBe("named");
  });

  test("config: warns, without failing, when private_integration alb leaves the load balancer subnets unpinned", () => {
    const alb = { ...exampleConfigInput(), private_integration: "alb", load_balancer_subnet_ids: null };
    const file = fileWith("alb.json", JSON.stringify(alb));
    expect(loadDeployConfigOrExit(file).private_integration).toBe("alb");
    expect(stderr).toBe(
      `warning: ${file}: private_integration "alb" without load_balancer_subnet_ids: the VPC Link v2 takes, per AZ, the tagged private subnet with the lowest id, and cannot change subnets in place, so tagging another subnet later replaces it. Pin them: docs/PRIVATE-NETWORKING.md#pin-the-load-balancer-subnets\n`,
    );
    stderr = "";
    loadDeployConfigOrExit(
      fileWith(
        "pinned.json",
        JSON.stringify({ ...alb, load_balancer_subnet_ids: ["subnet-0123abcd", "subnet-0456abcd"] }),
      ),
    );
    loadDeployConfigOrExit(fileWith("nlb.json", JSON.stringify({ ...alb, private_integration: "nlb" })));
    expect(stderr).toBe("");
  });

  test("config: prints every problem without a stack trace and exits 1 when the file is invalid", () => {
    const file = fileWith("invalid.json", JSON.stringify({ ...exampleConfigInput(), vpc_id: "vpc-1" }));
    expect(() => loadDeployConfigOrExit(file)).toThrow("exit 1");
    expect(stderr).toBe(
      `${file} is invalid (1 problem):\n  - vpc_id: expected a VPC id such as vpc-0123456789abcdef0 (got "vpc-1")\n`,
    );
  });

  test("config: an error that is not the user's (a bug) is thrown, not printed as a config problem", async () => {
    vi.resetModules();
    vi.doMock("../../config/schema.js", async (original) => ({
      ...(await original<typeof import("../../config/schema.js")>()),
      configSchema: {
        safeParse: () => {
          throw new TypeError("a bug");
        },
      },
    }));
    try {
      const load = await import("../../config/load.js");
      const file = fileWith("fine.json", JSON.stringify(exampleConfigInput()));
      expect(() => load.loadDeployConfigOrExit(file)).toThrow(new TypeError("a bug"));
      expect(stderr).toBe("");
    } finally {
      vi.doUnmock("../../config/schema.js");
      vi.resetModules();
    }
  });
});

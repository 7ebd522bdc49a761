import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Config } from "../../config/schema.js";
import { resources, type TfJson } from "../support/tfjson.js";
import { synthesizeToJson } from "../../stacks/synthesize.js";
import { findEngine, type ProviderSchema, type TerraformResult, Workspace } from "./support/engine.js";
import { scratchCopy } from "./support/scratch-copy.js";
import {
  expectedLoadBalancerSubnets,
  hcl,
  type Layout,
  layouts,
  MAIN_ROUTE_TABLE,
  type Run,
  testFile,
} from "./support/tftest.js";
import { CONFIGS, PLAN_ONLY } from "./matrix.js";
import { checksOf, conditionsOf, negativeRuns } from "./guards.js";
import { PRIVATE_SUBNETS_CHECK } from "../../stacks/network/subnet-exposure.js";

/**
 * The synthesized stacks on the real Terraform engine: `terraform validate`, then `terraform test` with a mocked
 * AWS provider, which plans and applies every resource (the provider's schema and apply-time validators run;
 * nothing calls AWS). Each stack is one scenario directory and one `terraform test` process: the example
 * configuration at its root, the other configurations as test modules beside it.
 *
 * What costs time is the provider's start-up: `terraform test` starts the provider anew for each step of each run
 * (validate, plan, apply; and a destroy plan and apply per applied state at the end), about half a second of CPU
 * each, and each process first loads the provider's schema (a few seconds). So configurations whose resource types
 * another configuration applies are only planned (`PLAN_ONLY`), and each stack has one process: `npm test` keeps both
 * cores busy with other test files, so more processes would only add schema loads.
 */

const engine = findEngine();
if ("skip" in engine) console.warn(`SKIPPED the Terraform engine tests: ${engine.skip}`);

type StackName = "ecr" | "main";

interface Variant {
  readonly name: string;
  readonly config: Config;
  readonly synth: { readonly ecr: TfJson; readonly main: TfJson };
}

const variants: Variant[] = Object.entries(CONFIGS).map(([name, config]) => {
  const parsed = config();
  return { name, config: parsed, synth: synthesizeToJson(parsed) };
});

/** HCL identifier for a run: `<config>_<what>`. */
const runName = (variant: Variant, what: string) => `${variant.name.replace(/[^a-z0-9]+/gi, "_")}_${what}`;
/** Where a variant's copy of the stack lives in the scenario: the example is the root. */
const moduleOf = (variant: Variant) =>
  variant.name === "example" ? undefined : `./variants/${variant.name.replace(/[^a-z0-9]+/gi, "-")}`;

/** Where each load balancer must land, and that tasks keep every private subnet. */
function subnetAsserts(stack: TfJson, layout: Layout, expected: readonly string[]): Run["asserts"] {
  const privateSubnets = layout.subnets.filter((s) => s.tier === "private");
  const zoneOf = hcl(Object.fromEntries(layout.subnets.map((s) => [s.id, s.zone])));
  const zoneOfId = (id: string) => layout.subnets.find((s) => s.id === id)!.zone;
  const balancedZones = new Set(expected.map(zoneOfId));
  const zoneCount = balancedZones.size;
  const balancedSubnets = privateSubnets.filter((s) => balancedZones.has(s.zone));
  const publicSubnets = layout.subnets.filter((s) => s.tier === "public").map((s) => s.id);
  return [
    {
      condition: `join(",", sort(output.public_subnet_ids)) == ${hcl(publicSubnets.sort().join(","))}`,
      message: `public_subnet_ids: expected the subnets tagged tier=public (${publicSubnets.join(", ") || "none"})`,
    },
    ...resources(stack, "aws_lb").flatMap((lb) => [
      {
        condition: `length(${lb.address}.subnets) == ${zoneCount} && length(distinct([for id in ${lb.address}.subnets : ${zoneOf}[id]])) == ${zoneCount}`,
        message: `${lb.path}: expected one subnet in each of the ${zoneCount} AZs`,
      },
      {
        condition: `${lb.address}.subnets == toset(${hcl(expected)})`,
        message: `${lb.path}: expected subnets ${expected.join(", ")}`,
      },
    ]),
    // The v2 link and the interface endpoints take the load balancers' one-subnet-per-AZ choice (endpoints: in the
    // AZs their service is offered in).
    ...resources(stack, "aws_apigatewayv2_vpc_link").map((link) => ({
      condition: `${link.address}.subnet_ids == toset(${hcl(expected)})`,
      message: `${link.path}: expected the load balancer subnets ${expected.join(", ")}`,
    })),
    ...resources(stack, "aws_vpc_endpoint")
      .filter((endpoint) => endpoint.body.vpc_endpoint_type === "Interface")
      .map((endpoint) => {
        const offered = expected.filter(
          (id) =>
            !layout.endpointServiceZones ||
            layout.endpointServiceZones.includes(layout.subnets.find((s) => s.id === id)!.zone),
        );
        return {
          condition: `${endpoint.address}.subnet_ids == toset(${hcl(offered)})`,
          message: `${endpoint.path}: expected subnets ${offered.join(", ")}`,
        };
      }),
    // Gateway endpoints route by table: each private subnet's own, or the main one for a subnet without one.
    ...resources(stack, "aws_vpc_endpoint")
      .filter((endpoint) => endpoint.body.vpc_endpoint_type === "Gateway")
      .map((endpoint) => {
        const tables = [...new Set(privateSubnets.map((s) => s.routeTable ?? MAIN_ROUTE_TABLE))].sort();
        return {
          condition: `${endpoint.address}.route_table_ids == toset(${hcl(tables)})`,
          message: `${endpoint.path}: expected route tables ${tables.join(", ")}`,
        };
      }),
    // The api's tasks only where its load balancers serve (elsewhere a target is `unused`); the processor anywhere.
    ...resources(stack, "aws_ecs_service").map((service) => {
      const behindLoadBalancer = service.body.load_balancer !== undefined;
      const subnets = (behindLoadBalancer ? balancedSubnets : privateSubnets).map((s) => s.id);
      return {
        condition: `toset(${service.address}.network_configuration[0].subnets) == toset(${hcl(subnets)})`,
        message: `${service.path}: tasks should run in ${behindLoadBalancer ? "the private subnets of the load balancers' AZs" : "every private subnet"}`,
      };
    }),
  ];
}

/**
 * For a config that pins load balancer subnets: one pinned subnet per AZ, plus a lower id the rule would pick, and a
 * private subnet in one more AZ that the load balancers do not serve.
 */
function pinnedLayout(config: Config): Layout {
  const pinned = config.load_balancer_subnet_ids!;
  return {
    name: "pinned load balancer subnets, with lower-id subnets beside them and one more AZ",
    subnets: [
      ...pinned.flatMap((id, i) => {
        const zone = `${config.region}${"abcdef"[i]}`;
        return [
          { id, zone, tier: "private" as const },
          { id: `subnet-${String(i).padStart(17, "0")}`, zone, tier: "private" as const },
        ];
      }),
      { id: "subnet-0ffffffffffffffff", zone: `${config.region}${"abcdef"[pinned.length]}`, tier: "private" as const },
    ],
  };
}

/**
 * Every configuration other than the example runs on the layout with 2 subnets per AZ; the example runs the other
 * layouts (2 AZs, 3 AZs, a private-only VPC).
 */
function applyRuns(variant: Variant): Run[] {
  const { config } = variant;
  const json = variant.synth.main;
  if (config.load_balancer_subnet_ids) {
    const layout = pinnedLayout(config);
    return [
      {
        name: runName(variant, "pinned_subnets"),
        module: moduleOf(variant),
        stack: json,
        command: "apply",
        layout,
        asserts: subnetAsserts(json, layout, config.load_balancer_subnet_ids),
      },
    ];
  }
  const all = layouts(config.region);
  const chosen =
    variant.name === "example"
      ? { twoZones: all.twoZones!, threeZones: all.threeZones!, privateOnly: all.privateOnly! }
      : { twoPerZone: all.twoPerZone! };
  // Where the load balancers land is known at plan. Applies cost the most: the example applies the private-only VPC,
  // and every other configuration applies on 2 subnets per AZ, unless another configuration's apply covers it.
  const applied = new Set(
    variant.name === "example" ? ["privateOnly"] : variant.name in PLAN_ONLY ? [] : ["twoPerZone"],
  );
  const runs: Run[] = Object.entries(chosen).map(([key, layout]) => ({
    name: runName(variant, key),
    module: moduleOf(variant),
    stack: json,
    command: applied.has(key) ? ("apply" as const) : ("plan" as const),
    layout,
    asserts: subnetAsserts(json, layout, expectedLoadBalancerSubnets(layout)),
  }));
  if (resources(json, "aws_vpc_endpoint_service", "data").length > 0) {
    // An endpoint service offered in one AZ only: its endpoint keeps to that AZ's load balancer subnet.
    const layout: Layout = {
      ...all.threeZones!,
      name: "endpoint services offered in one AZ",
      endpointServiceZones: [`${config.region}b`],
    };
    const dataOverrides = resources(json, "aws_vpc_endpoint_service", "data").map((service) => ({
      target: service.address,
      values: { availability_zones: layout.endpointServiceZones!, service_name: `com.amazonaws.${config.region}.mock` },
    }));
    runs.push({
      name: runName(variant, "endpoints_one_zone"),
      module: moduleOf(variant),
      stack: json,
      command: "plan",
      layout,
      dataOverrides,
      asserts: subnetAsserts(json, layout, expectedLoadBalancerSubnets(layout)),
    });
  }
  return runs;
}

/**
 * Subnets tagged `tier=private` that are public: a plan goes on with the exposure check's warning, and `terraform test`
 * fails a run whose check fails unless the run expects it (so every other run proves the check quiet). Each way a
 * subnet is public once: it maps public IPs; its own route table routes to an internet gateway; the VPC's main one does.
 */
function exposureRuns(variant: Variant): Run[] {
  const all = layouts(variant.config.region);
  const [first, ...rest] = all.privateOnly!.subnets;
  const exposed: Record<string, Layout> = {
    public_ip: { ...all.privateOnly!, subnets: [{ ...first!, mapsPublicIp: true }, ...rest] },
    own_table_to_internet: { ...all.twoPerZone!, internetRouteTables: ["rtb-00000000000000a0"] },
    main_table_to_internet: { ...all.privateOnly!, internetRouteTables: [MAIN_ROUTE_TABLE] },
  };
  return Object.entries(exposed).map(([what, layout]) => ({
    name: runName(variant, `exposed_${what}`),
    module: moduleOf(variant),
    stack: variant.synth.main,
    command: "plan" as const,
    layout,
    expectFailures: [`check.${PRIVATE_SUBNETS_CHECK}`],
  }));
}

/** Guards already given a negative run by an earlier configuration: each guard fails once, not once per config. */
const guardsBroken = new Set<string>();

/** Every configuration's runs of the main stack, in matrix order (a guard's negative run goes to the first that has it). */
function mainRuns(): Run[] {
  return variants.flatMap((variant) => {
    const negatives = negativeRuns(variant.synth.main, variant.config, guardsBroken).map((run) => ({
      ...run,
      name: runName(variant, run.name),
      module: moduleOf(variant),
      stack: variant.synth.main,
    }));
    for (const message of negatives.flatMap((run) => run.covers)) guardsBroken.add(message);
    const exposure = variant.name === "example" ? exposureRuns(variant) : [];
    return [...applyRuns(variant), ...negatives, ...exposure];
  });
}

/**
 * The ecr stack changes little with the config (names, image counts, tags, encryption): its extremes are enough.
 * The example applies; the others add no resource type (a test checks), so their plans check their literals.
 */
const ECR_VARIANTS: Readonly<Record<string, Run["command"]>> = {
  example: "apply",
  minimums: "plan",
  maximums: "plan",
  "all options": "plan",
};

function ecrRuns(): Run[] {
  return variants
    .filter((variant) => variant.name in ECR_VARIANTS)
    .map((variant) => {
      const command = ECR_VARIANTS[variant.name]!;
      return {
        name: runName(variant, command),
        module: moduleOf(variant),
        command,
        layout: layouts(variant.config.region).twoZones!,
      };
    });
}

/** One scenario (a directory, one `terraform test` process) per stack. */
const RUNS: Readonly<Record<StackName, readonly Run[]>> = { ecr: ecrRuns(), main: mainRuns() };
const STACKS = Object.keys(RUNS) as StackName[];

/** `run "<name>"... pass|fail` from `terraform test` output. */
function runStatus(output: string, name: string): string | undefined {
  return new RegExp(`run "${name}"\\.\\.\\. (\\w+)`).exec(output)?.[1];
}

const variantNamed = (name: string) => variants.find((variant) => variant.name === name)!;

/** Managed resource types (`aws_lb`, ...) of `name`'s stack that none of `covers` has: what only its apply creates. */
function uncoveredTypes(stack: StackName, name: string, covers: readonly string[]): string[] {
  const types = (which: string) => Object.keys(variantNamed(which).synth[stack].resource ?? {});
  const covered = new Set(covers.flatMap(types));
  return types(name).filter((type) => !covered.has(type));
}

test.for(Object.entries(PLAN_ONLY))(
  "engine: the applies of %s's resource types are covered by %j",
  ([name, covers]) => {
    for (const stack of STACKS) expect(uncoveredTypes(stack, name, covers)).toEqual([]);
  },
);

test("engine: the ecr stack's planned configurations add no resource type to the example's apply", () => {
  const planned = Object.keys(ECR_VARIANTS).filter((name) => ECR_VARIANTS[name] === "plan");
  expect(planned.length).toBeGreaterThan(0);
  for (const name of planned) expect(uncoveredTypes("ecr", name, ["example"]), name).toEqual([]);
});

describe.skipIf("skip" in engine)("terraform engine: validate, then a mocked plan and apply", () => {
  // Made in beforeAll, so that a run whose filter selects none of these tests leaves no scratch area behind.
  let workspace: Workspace | undefined;
  const results = new Map<StackName, { validate: TerraformResult; test: TerraformResult }>();
  const resultOf = (stack: StackName) => results.get(stack)!;

  /** The stack's scenario directory (its configurations' scratch copies and the test file), validated and tested. */
  async function runStack(created: Workspace, stack: StackName, schema: ProviderSchema): Promise<void> {
    const { providerVersion } = created.engine;
    const copy = (variant: Variant) => {
      const scratch = scratchCopy(variant.synth[stack], providerVersion, schema);
      if (scratch.stripped.length > 0)
        console.warn(
          `${stack} (${variant.name}): stripped for provider ${providerVersion}: ${scratch.stripped.join(", ")}`,
        );
      return scratch.json;
    };
    const runs = RUNS[stack];
    const used = variants.filter(
      (variant) => variant.name === "example" || runs.some((run) => run.module === moduleOf(variant)),
    );
    const files: Record<string, string> = {};
    const copies: TfJson[] = [];
    for (const variant of used) {
      const json = copy(variant);
      files[`${moduleOf(variant) ?? "."}/cdk.tf.json`] = JSON.stringify(json, null, 2);
      copies.push(json);
    }
    const example = variantNamed("example");
    files["stack.tftest.hcl"] = testFile({
      stack: copies[used.indexOf(example)]!,
      variants: copies,
      ecr: stack === "main" ? example.synth.ecr : undefined,
      schema,
      region: example.config.region,
      vpcId: example.config.vpc_id,
      runs,
    });
    const dir = await created.scenario(stack, files);
    // `terraform test` validates what it runs; `validate` on its own is the check users know, once per stack.
    // -no-tests: the test file's modules are validated by `terraform test` itself, so only the root here.
    const validate = await created.run(["validate", "-no-tests"], dir);
    results.set(stack, { validate, test: await created.run(["test"], dir) });
  }

  beforeAll(async () => {
    if ("skip" in engine) return;
    const created = (workspace = new Workspace(engine));
    await created.init();
    const schema = await created.providerSchema();
    await Promise.all(STACKS.map((stack) => runStack(created, stack, schema)));
  }, 900_000);
  afterAll(() => workspace?.dispose());

  test.for(STACKS)("engine: terraform validate accepts the %s stack", (stack) => {
    expect(resultOf(stack).validate.output).toContain("The configuration is valid");
  });

  const cases = STACKS.flatMap((stack) => RUNS[stack].map((run) => [stack, run.name] as const));
  test.for(cases)("engine: %s, run %s passes", ([stack, name]) => {
    const { output } = resultOf(stack).test;
    expect(runStatus(output, name), `terraform test output:\n${output.slice(-8000)}`).toBe("pass");
  });

  test.for(STACKS.map((stack) => [stack, RUNS[stack].length] as const))(
    "engine: terraform test of %s ran its %i runs and passed",
    ([stack, count]) => {
      const { code, output } = resultOf(stack).test;
      expect(output).toContain(`Success! ${count} passed, 0 failed.`);
      expect(code).toBe(0);
    },
  );

  test("engine: every check block of every configuration has a run that makes it warn", () => {
    const checks = variants.flatMap((variant) => checksOf(variant.synth.main));
    expect(checks.length).toBeGreaterThan(0);
    const expected = new Set(RUNS.main.flatMap((run) => run.expectFailures ?? []));
    expect(checks.filter((check) => !expected.has(check))).toEqual([]);
  });

  test("engine: every plan-time guard of every configuration has a negative run", () => {
    const guards = variants.flatMap((variant) => [
      ...conditionsOf(variant.synth.ecr),
      ...conditionsOf(variant.synth.main),
    ]);
    expect(guards.length).toBeGreaterThan(0);
    expect(guards.filter((guard) => !guardsBroken.has(guard.message)).map((g) => `${g.address}: ${g.message}`)).toEqual(
      [],
    );
  });
});

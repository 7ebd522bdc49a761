import type { Config } from "../../config/schema.js";
import type { TfJson } from "../support/tfjson.js";
import { type Layout, layouts, type Run } from "./support/tftest.js";

/** A plan-time guard of a synthesized stack: a precondition, postcondition or variable validation. */
export interface Condition {
  /** The checkable object `expect_failures` names: `data.aws_subnets.x`, `terraform_data.y`, `var.z`. */
  readonly address: string;
  readonly message: string;
}

export function conditionsOf(stack: TfJson): Condition[] {
  const found: Condition[] = [];
  for (const block of ["resource", "data"] as const) {
    for (const [type, instances] of Object.entries(stack[block] ?? {})) {
      for (const [name, body] of Object.entries(instances)) {
        const address = `${block === "data" ? "data." : ""}${type}.${name}`;
        for (const kind of ["precondition", "postcondition"]) {
          for (const condition of body.lifecycle?.[kind] ?? [])
            found.push({ address, message: condition.error_message });
        }
      }
    }
  }
  for (const [name, variable] of Object.entries(stack.variable ?? {})) {
    for (const validation of (variable.validation as { error_message: string }[] | undefined) ?? []) {
      found.push({ address: `var.${name}`, message: validation.error_message });
    }
  }
  for (const [name, output] of Object.entries(stack.output ?? {})) {
    for (const condition of ((output as Record<string, any>).precondition as { error_message: string }[] | undefined) ??
      []) {
      found.push({ address: `output.${name}`, message: condition.error_message });
    }
  }
  return found;
}

/** The stack's `check` blocks as `expect_failures` names them: they only warn, so they are not guards above. */
export function checksOf(stack: TfJson): string[] {
  return Object.keys((stack as Record<string, any>).check ?? {}).map((name) => `check.${name}`);
}

/** What breaks one guard and nothing else. */
interface Violation {
  readonly guard: RegExp;
  readonly breakIt: (condition: Condition, config: Config) => Pick<Run, "layout" | "variables">;
  /**
   * The guards it matches can be broken in one run: each is a variable validation, which Terraform evaluates on its
   * own, so one failing hides no other (`expect_failures` still names, and requires, every one).
   */
  readonly together?: true;
}

function pinnedIds(config: Config): readonly string[] {
  if (!config.load_balancer_subnet_ids)
    throw new Error("a guard on pinned load balancer subnets needs a config that pins them");
  return config.load_balancer_subnet_ids;
}

const VIOLATIONS: readonly Violation[] = [
  {
    guard: /^Found fewer than \d+ subnets tagged tier=private/,
    breakIt: (_, config) => ({ layout: layouts(config.region).oneSubnet! }),
  },
  {
    guard: /are in fewer than \d+ availability zones/,
    breakIt: (_, config) => ({ layout: layouts(config.region).oneZone! }),
  },
  {
    guard: /^load_balancer_subnet_ids must all be subnets/,
    breakIt: (_, config) => {
      const [first] = pinnedIds(config);
      const layout: Layout = {
        name: "a pinned subnet is not tagged private",
        subnets: [
          { id: first!, zone: `${config.region}a`, tier: "private" },
          { id: "subnet-00000000000000009", zone: `${config.region}b`, tier: "private" },
        ],
      };
      return { layout };
    },
  },
  {
    guard: /^load_balancer_subnet_ids must be in distinct availability zones/,
    breakIt: (_, config) => {
      const layout: Layout = {
        name: "pinned subnets share an AZ",
        subnets: [
          ...pinnedIds(config).map((id) => ({ id, zone: `${config.region}a`, tier: "private" as const })),
          { id: "subnet-00000000000000009", zone: `${config.region}b`, tier: "private" },
        ],
      };
      return { layout };
    },
  },
  {
    guard: /^vpc_endpoints needs DNS support and DNS hostnames on/,
    breakIt: (_, config) => {
      // Pinned subnets must stay valid, or their own guards would fail too: put them in distinct AZs.
      const subnets = config.load_balancer_subnet_ids
        ? config.load_balancer_subnet_ids.map((id, i) => ({
            id,
            zone: `${config.region}${"abcdef"[i]}`,
            tier: "private" as const,
          }))
        : layouts(config.region).twoZones!.subnets;
      return { layout: { name: "a VPC without DNS hostnames", subnets, vpcDns: { support: true, hostnames: false } } };
    },
  },
  {
    guard: /^Image tags are 1-128/,
    breakIt: (condition, config) => ({
      layout: layouts(config.region).twoZones!,
      variables: { [condition.address.replace(/^var\./, "")]: "-not-a-tag" },
    }),
    together: true,
  },
];

export interface NegativeRun extends Run {
  /** The guard messages this run proves can fail. */
  readonly covers: readonly string[];
}

/**
 * Planned runs in which every guard not in `skip` fails, which `expect_failures` asserts: one run per guard, except
 * that the guards of a `together` violation share one (a run costs a few provider start-ups).
 */
export function negativeRuns(stack: TfJson, config: Config, skip: ReadonlySet<string> = new Set()): NegativeRun[] {
  // Keyed by the condition, or by the violation for guards broken together; a Map keeps the runs in first-seen order.
  const runs = new Map<Condition | Violation, NegativeRun>();
  for (const condition of conditionsOf(stack).filter((c) => !skip.has(c.message))) {
    const violation = VIOLATIONS.find((v) => v.guard.test(condition.message));
    if (!violation) continue;
    const broken = violation.breakIt(condition, config);
    const key = violation.together ? violation : condition;
    const earlier = runs.get(key);
    runs.set(
      key,
      earlier
        ? {
            ...earlier,
            variables: { ...earlier.variables, ...broken.variables },
            expectFailures: [...earlier.expectFailures!, condition.address],
            covers: [...earlier.covers, condition.message],
          }
        : {
            name: `guard_${runs.size + 1}`,
            command: "plan",
            expectFailures: [condition.address],
            covers: [condition.message],
            ...broken,
          },
    );
  }
  return [...runs.values()];
}

import { resources, type TfJson } from "../../support/tfjson.js";
import type { ProviderSchema } from "./engine.js";

/**
 * Writes `terraform test` files (HCL) for a synthesized stack: a mocked AWS provider whose resources get
 * realistic ARNs (so the provider's apply-time ARN validators run), data sources overridden per instance to model
 * a VPC layout, and runs with assertions or `expect_failures`.
 */

export const MOCK_ACCOUNT = "123456789012";

export interface Subnet {
  readonly id: string;
  readonly zone: string;
  readonly tier: "private" | "public";
  /** The route table explicitly associated with it. @default none: the subnet uses the VPC's main route table */
  readonly routeTable?: string;
  /** `map_public_ip_on_launch`. @default false */
  readonly mapsPublicIp?: boolean;
}

/** The VPC's main route table in every layout. */
export const MAIN_ROUTE_TABLE = "rtb-0000000000000main";

export interface Layout {
  readonly name: string;
  readonly subnets: readonly Subnet[];
  /** The VPC's DNS attributes, which interface endpoints' private DNS needs. @default both on */
  readonly vpcDns?: { readonly support: boolean; readonly hostnames: boolean };
  /** AZs every VPC endpoint service is offered in (`dataOverrides` of the run set them). @default every AZ of the region (mock_data) */
  readonly endpointServiceZones?: readonly string[];
  /** Route tables with a route to an internet gateway. @default none */
  readonly internetRouteTables?: readonly string[];
}

/** Ids are listed out of order on purpose: the load balancer subnet rule must sort, not take the first it sees. */
function subnetsIn(zones: readonly string[], perZone: number, tier: Subnet["tier"]): Subnet[] {
  const tierDigit = tier === "private" ? "a" : "b";
  return zones.flatMap((zone, z) =>
    Array.from({ length: perZone }, (_, i) => ({
      id: `subnet-${`${tierDigit}${z}${perZone - 1 - i}`.padStart(17, "0")}`,
      zone,
      tier,
    })),
  );
}

export function layouts(region: string): Record<string, Layout> {
  const zone = (letter: string) => `${region}${letter}`;
  return {
    twoZones: {
      name: "2 private + 2 public subnets in 2 AZs",
      subnets: [...subnetsIn([zone("a"), zone("b")], 1, "private"), ...subnetsIn([zone("a"), zone("b")], 1, "public")],
    },
    twoPerZone: {
      name: "2 private subnets in each of 2 AZs, and public ones; AZ a's private subnets on their own route table, AZ b's on the VPC's main one",
      subnets: [
        ...subnetsIn([zone("a"), zone("b")], 2, "private").map((subnet) =>
          subnet.zone === zone("a") ? { ...subnet, routeTable: "rtb-00000000000000a0" } : subnet,
        ),
        ...subnetsIn([zone("a"), zone("b")], 1, "public"),
      ],
    },
    threeZones: {
      name: "2 private subnets in each of 3 AZs",
      subnets: subnetsIn([zone("a"), zone("b"), zone("c")], 2, "private"),
    },
    privateOnly: {
      name: "private-only VPC (no public subnets)",
      subnets: subnetsIn([zone("a"), zone("b")], 1, "private"),
    },
    oneSubnet: { name: "a single private subnet", subnets: subnetsIn([zone("a")], 1, "private") },
    oneZone: { name: "2 private subnets in one AZ", subnets: subnetsIn([zone("a")], 2, "private") },
  };
}

/** Per AZ, the lowest private subnet id: the documented default for load balancer subnets. */
export function expectedLoadBalancerSubnets(layout: Layout): string[] {
  const byZone = new Map<string, string[]>();
  for (const subnet of layout.subnets.filter((s) => s.tier === "private"))
    byZone.set(subnet.zone, [...(byZone.get(subnet.zone) ?? []), subnet.id]);
  return [...byZone.values()].map((ids) => ids.sort()[0]!).sort();
}

export interface Run {
  /** An HCL identifier, unique in the test file. */
  readonly name: string;
  /** Directory of another configuration to run instead of the scenario's root. @default the root */
  readonly module?: string;
  readonly command: "plan" | "apply";
  readonly layout: Layout;
  readonly variables?: Readonly<Record<string, string>>;
  /** Checkable objects (`data.x.y`, `terraform_data.z`, `var.v`) whose conditions must fail. */
  readonly expectFailures?: readonly string[];
  readonly asserts?: readonly { readonly condition: string; readonly message: string }[];
  /** The run's own configuration, whose lookups the layout overrides. @default the scenario's root */
  readonly stack?: TfJson;
  /** Data sources of the run's own configuration to override, beyond the layout's. */
  readonly dataOverrides?: readonly { readonly target: string; readonly values: Readonly<Record<string, unknown>> }[];
}

const ARN_SERVICES: readonly [prefix: string, service: string][] = [
  ["aws_api_gateway_", "apigateway"],
  ["aws_apigatewayv2_", "apigateway"],
  ["aws_appautoscaling_", "application-autoscaling"],
  ["aws_cloudwatch_log_", "logs"],
  ["aws_cloudwatch_", "cloudwatch"],
  ["aws_lb", "elasticloadbalancing"],
  ["aws_vpc_endpoint", "ec2"],
  ["aws_security_group", "ec2"],
  ["aws_vpc_", "ec2"],
];

/** A well-formed ARN for a mocked resource of `type`: IAM is global (no region), everything else regional. */
export function mockArn(type: string, region: string): string {
  const service = ARN_SERVICES.find(([prefix]) => type.startsWith(prefix))?.[1] ?? type.split("_")[1]!;
  const kind = type.replace(/^aws_/, "").replaceAll("_", "-");
  return service === "iam"
    ? `arn:aws:iam::${MOCK_ACCOUNT}:${kind.replace(/^iam-/, "")}/mock`
    : `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${kind}/mock`;
}

/** HCL literal for a JSON value (JSON literals are HCL expressions; `${` would start a template). */
export function hcl(value: unknown): string {
  return JSON.stringify(value).replaceAll("${", "$${").replaceAll("%{", "%%{");
}

/** A mocked AWS provider for every type any of `stacks` uses. */
function mockProvider(stacks: readonly TfJson[], schema: ProviderSchema, region: string): string {
  const lines = ['mock_provider "aws" {'];
  const typesOf = (block: "resource" | "data") =>
    [...new Set(stacks.flatMap((stack) => Object.keys(stack[block] ?? {})))].sort();
  for (const type of typesOf("resource").filter((t) => t.startsWith("aws_"))) {
    if (!schema.resource_schemas[type]?.block.attributes?.arn) continue;
    lines.push(`  mock_resource ${hcl(type)} {\n    defaults = { arn = ${hcl(mockArn(type, region))} }\n  }`);
  }
  const dataDefaults: Record<string, Record<string, unknown>> = {
    aws_caller_identity: { account_id: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/engine-test` },
    aws_acm_certificate: {
      arn: `arn:aws:acm:${region}:${MOCK_ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`,
    },
    aws_vpc: { enable_dns_support: true, enable_dns_hostnames: true, cidr_block: "10.0.0.0/16" },
    aws_vpc_endpoint_service: {
      availability_zones: ["a", "b", "c", "d"].map((z) => `${region}${z}`),
      service_name: `com.amazonaws.${region}.mock`,
    },
  };
  for (const type of typesOf("data")) {
    if (dataDefaults[type]) lines.push(`  mock_data ${hcl(type)} {\n    defaults = ${hcl(dataDefaults[type])}\n  }`);
  }
  lines.push("}");
  return lines.join("\n");
}

/** The ecr stack's outputs as `main` reads them through remote state: names from the ecr synth, values shaped like AWS's. */
function remoteStateOverrides(main: TfJson, ecr: TfJson, region: string): string[] {
  const repositories = resources(ecr, "aws_ecr_repository");
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(ecr.output ?? {})) {
    const match = /^\$\{aws_ecr_repository\.([^.]+)\.(arn|repository_url)\}$/.exec(String(output.value));
    const repository = repositories.find((r) => r.name === match?.[1]);
    if (!match || !repository) throw new Error(`ecr output ${name} is not a repository arn or url: add its mock value`);
    const repositoryName = repository.body.name as string;
    outputs[name] =
      match[2] === "arn"
        ? `arn:aws:ecr:${region}:${MOCK_ACCOUNT}:repository/${repositoryName}`
        : `${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repositoryName}`;
  }
  return resources(main, "terraform_remote_state", "data").map(
    (state) => `override_data {\n  target = ${state.address}\n  values = { outputs = ${hcl(outputs)} }\n}`,
  );
}

/** The `tier` tag a subnets lookup filters on. */
function tierOf(lookup: Record<string, any>): string | undefined {
  return (lookup.filter as { name: string; values: string[] }[] | undefined)?.find((f) => f.name === "tag:tier")
    ?.values[0];
}

/** Overrides that make the stack's subnet lookups see `layout`. */
export function layoutOverrides(stack: TfJson, layout: Layout, vpcId: string): string[] {
  const overrides: string[] = [];
  for (const lookup of resources(stack, "aws_subnets", "data")) {
    const ids = layout.subnets.filter((s) => s.tier === tierOf(lookup.body)).map((s) => s.id);
    overrides.push(`override_data {\n  target = ${lookup.address}\n  values = { ids = ${hcl(ids)} }\n}`);
  }
  for (const detail of resources(stack, "aws_subnet", "data")) {
    for (const subnet of layout.subnets) {
      overrides.push(
        `override_data {\n  target = ${detail.address}[${hcl(subnet.id)}]\n  values = ${hcl({ id: subnet.id, availability_zone: subnet.zone, vpc_id: vpcId, map_public_ip_on_launch: subnet.mapsPublicIp ?? false })}\n}`,
      );
    }
  }
  // Each private subnet's explicit route table (none: it is on the main one), and the VPC's main table.
  for (const lookup of resources(stack, "aws_route_tables", "data").filter((r) => r.body.for_each)) {
    for (const subnet of layout.subnets.filter((s) => s.tier === "private")) {
      const ids = subnet.routeTable ? [subnet.routeTable] : [];
      overrides.push(
        `override_data {\n  target = ${lookup.address}[${hcl(subnet.id)}]\n  values = { ids = ${hcl(ids)} }\n}`,
      );
    }
  }
  for (const lookup of resources(stack, "aws_route_tables", "data").filter((r) => !r.body.for_each)) {
    const ids = layout.internetRouteTables ?? [];
    overrides.push(`override_data {\n  target = ${lookup.address}\n  values = { ids = ${hcl(ids)} }\n}`);
  }
  for (const table of resources(stack, "aws_route_table", "data")) {
    overrides.push(`override_data {\n  target = ${table.address}\n  values = { id = ${hcl(MAIN_ROUTE_TABLE)} }\n}`);
  }
  if (layout.vpcDns) {
    for (const vpc of resources(stack, "aws_vpc", "data")) {
      const values = {
        id: vpcId,
        cidr_block: "10.0.0.0/16",
        enable_dns_support: layout.vpcDns.support,
        enable_dns_hostnames: layout.vpcDns.hostnames,
      };
      overrides.push(`override_data {\n  target = ${vpc.address}\n  values = ${hcl(values)}\n}`);
    }
  }
  return overrides;
}

export interface TestFileOptions {
  /** The stack at the scenario's root: layouts and remote state are read from it. */
  readonly stack: TfJson;
  /** Every configuration the runs use (the root's and their modules'): the mock provider covers all their types. */
  readonly variants: readonly TfJson[];
  /** The ecr stack whose outputs `stack` reads through remote state. */
  readonly ecr?: TfJson;
  readonly schema: ProviderSchema;
  readonly region: string;
  readonly vpcId: string;
  readonly runs: readonly Run[];
}

export function testFile(options: TestFileOptions): string {
  const { stack, region, vpcId } = options;
  const parts = [
    mockProvider(options.variants, options.schema, region),
    ...(options.ecr ? remoteStateOverrides(stack, options.ecr, region) : []),
  ];
  for (const run of options.runs) {
    const body = [`  command = ${run.command}`];
    if (run.module) body.push(`  module {\n    source = ${hcl(run.module)}\n  }`);
    if (run.variables)
      body.push(
        `  variables {\n${Object.entries(run.variables)
          .map(([k, v]) => `    ${k} = ${hcl(v)}`)
          .join("\n")}\n  }`,
      );
    if (run.expectFailures) body.push(`  expect_failures = [${run.expectFailures.join(", ")}]`);
    for (const override of layoutOverrides(run.stack ?? stack, run.layout, vpcId))
      body.push(override.replace(/^/gm, "  "));
    for (const { target, values } of run.dataOverrides ?? [])
      body.push(`  override_data {\n    target = ${target}\n    values = ${hcl(values)}\n  }`);
    for (const assert of run.asserts ?? [])
      body.push(`  assert {\n    condition = ${assert.condition}\n    error_message = ${hcl(assert.message)}\n  }`);
    parts.push(`run ${hcl(run.name)} {\n${body.join("\n")}\n}`);
  }
  return `${parts.join("\n\n")}\n`;
}

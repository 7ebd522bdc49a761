import { Construct } from "constructs";
import { DataResource, Fn, Op, TerraformIterator, Token } from "cdktf";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { DataAwsSubnets } from "@cdktf/provider-aws/lib/data-aws-subnets";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { DataAwsRouteTable } from "@cdktf/provider-aws/lib/data-aws-route-table";
import { DataAwsRouteTables } from "@cdktf/provider-aws/lib/data-aws-route-tables";

export interface NetworkProps {
  /** The existing VPC the architecture is deployed into. */
  readonly vpcId: string;
  /** Fewest private subnets, and fewest availability zones: AWS load balancers need two AZs. @default 2 */
  readonly minimumZones?: number;
  /**
   * Subnets the load balancers attach to, one per AZ, each also tagged `tier=private`.
   * @default per AZ, the tagged private subnet with the lowest subnet id
   */
  readonly loadBalancerSubnetIds?: readonly string[] | null;
}

/** The tag that marks the subnets this architecture runs in. */
export const PRIVATE_TIER_TAG = { key: "tier", value: "private" } as const;
/** The tag of the VPC's public subnets: looked up and reported, never used by this stack. */
export const PUBLIC_TIER_TAG = { key: "tier", value: "public" } as const;

/**
 * Looks up the existing VPC and its subnets tagged `tier=private`. Only private subnets are needed: everything here
 * is internal, so a VPC without public subnets (egress through a transit gateway, a NAT elsewhere, or VPC endpoints)
 * plans as well. The plan fails with a message naming the problem when there are too few subnets, when they sit in
 * too few availability zones, or when pinned load balancer subnets are not private subnets in distinct AZs.
 */
export class Network extends Construct {
  readonly vpc: DataAwsVpc;
  /** Every tagged private subnet: where the processor's tasks run. */
  readonly privateSubnetIds: string[];
  /** Each tagged private subnet's details, by id: for filters and the exposure check. */
  readonly privateSubnetDetails: DataAwsSubnet;
  /**
   * The subnets tagged `tier=public`, as the reference design looks them up: empty in a private-only VPC (the lookup
   * returns an empty list, it does not fail). Nothing here runs in them; the plan reports them.
   */
  readonly publicSubnetIds: string[];
  /**
   * The private subnets in the AZs the load balancers serve: where the api's tasks run. ELB reports a target in an AZ
   * its load balancer does not serve as `unused` (`Target.NotInUse`) and sends it nothing: a task placed there is
   * paid-for capacity that serves no request and never turns healthy for ECS. Every private subnet unless the load
   * balancer subnets are pinned to fewer AZs.
   */
  readonly loadBalancedSubnetIds: string[];
  /**
   * One private subnet per AZ: AWS attaches a load balancer to at most one subnet per AZ. The choice only changes
   * when the set of AZs or the lowest id in an AZ changes; pin it (`loadBalancerSubnetIds`) to make it fixed.
   */
  readonly loadBalancerSubnetIds: string[];
  /** The load balancer subnets as an HCL list expression: for filters. */
  private readonly loadBalancerSubnetList: string;
  private routeTables?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const minimum = props.minimumZones ?? 2;
    const { vpcId } = props;
    this.vpc = new DataAwsVpc(this, "vpc", { id: vpcId });
    const howToFix = `Tag subnets of ${vpcId} with ${PRIVATE_TIER_TAG.key}=${PRIVATE_TIER_TAG.value} in at least ${minimum} availability zones, or fix vpc_id in terraform.tfvars.json.`;
    const subnets = new DataAwsSubnets(this, "private-subnets", {
      filter: [
        { name: "vpc-id", values: [vpcId] },
        { name: `tag:${PRIVATE_TIER_TAG.key}`, values: [PRIVATE_TIER_TAG.value] },
      ],
      lifecycle: {
        postcondition: [
          {
            // `self` is only valid inside the condition itself, so this one is written as a raw expression.
            condition: `\${length(self.ids) >= ${minimum}}`,
            errorMessage: `Found fewer than ${minimum} subnets tagged ${PRIVATE_TIER_TAG.key}=${PRIVATE_TIER_TAG.value}. ${howToFix}`,
          },
        ],
      },
    });
    // The subnets list has no AZs: look each subnet up, then require distinct AZs before anything is planned.
    const details = new DataAwsSubnet(this, "private-subnet", {
      forEach: TerraformIterator.fromList(subnets.ids),
      id: "${each.value}",
    });
    // A list-typed expression used as-is: cdktf's Fn helpers accept any resolvable for list arguments.
    const zones = TerraformIterator.fromDataSources(details).forExpressionForList(
      "val.availability_zone",
    ) as unknown as string[];
    const conditions: { condition: unknown; errorMessage: string }[] = [
      {
        condition: Op.gte(Fn.lengthOf(Fn.distinct(zones)), minimum),
        errorMessage: `The subnets tagged ${PRIVATE_TIER_TAG.key}=${PRIVATE_TIER_TAG.value} are in fewer than ${minimum} availability zones. ${howToFix}`,
      },
    ];
    this.privateSubnetIds = subnets.ids;
    this.privateSubnetDetails = details;
    this.publicSubnetIds = new DataAwsSubnets(this, "public-subnets", {
      filter: [
        { name: "vpc-id", values: [vpcId] },
        { name: `tag:${PUBLIC_TIER_TAG.key}`, values: [PUBLIC_TIER_TAG.value] },
      ],
    }).ids;

    if (props.loadBalancerSubnetIds) {
      const pinned = [...props.loadBalancerSubnetIds];
      this.loadBalancerSubnetIds = pinned;
      const pinnedList = `[${pinned.map((subnet) => JSON.stringify(subnet)).join(", ")}]`;
      this.loadBalancerSubnetList = pinnedList;
      this.loadBalancedSubnetIds = Token.asList(
        `\${[for subnet in ${details.fqn} : subnet.id if contains([for pin in ${details.fqn} : pin.availability_zone if contains(${pinnedList}, pin.id)], subnet.availability_zone)]}`,
      );
      conditions.push(
        {
          condition: `\${alltrue([for id in ${pinnedList} : contains(${subnets.fqn}.ids, id)])}`,
          errorMessage: `load_balancer_subnet_ids must all be subnets of ${vpcId} tagged ${PRIVATE_TIER_TAG.key}=${PRIVATE_TIER_TAG.value}.`,
        },
        {
          // An untagged id counts as its own zone (`try`): Terraform evaluates both sides of `||`, so a guard
          // written as "all tagged || ..." would stop with an index error instead of the message above.
          condition: `\${length(distinct([for id in ${pinnedList} : try(${details.fqn}[id].availability_zone, id)])) == ${pinned.length}}`,
          errorMessage:
            "load_balancer_subnet_ids must be in distinct availability zones: AWS attaches a load balancer to one subnet per AZ.",
        },
      );
    } else {
      this.loadBalancedSubnetIds = subnets.ids;
      // Group the subnets by AZ, then take the lowest id in each: stable while the AZs and their lowest ids stay.
      this.loadBalancerSubnetList = `[for zone, ids in {for subnet in ${details.fqn} : subnet.availability_zone => subnet.id...} : sort(ids)[0]]`;
      this.loadBalancerSubnetIds = Token.asList(`\${${this.loadBalancerSubnetList}}`);
    }
    new DataResource(this, "private-subnet-zones", { input: zones, lifecycle: { precondition: conditions } });
  }

  /**
   * The load balancer subnets (one per AZ, the same choice) whose AZ is in `zones` (an HCL list expression): where an
   * interface endpoint of a service offered only in some AZs can go. Tasks in the other AZs reach it across zones.
   */
  loadBalancerSubnetsIn(zones: string): string[] {
    // The load balancer list goes last: cdktf mis-reads references that follow its `{for ...}` grouping.
    return Token.asList(
      `\${sort(setintersection([for subnet in ${this.privateSubnetDetails.fqn} : subnet.id if contains(${zones}, subnet.availability_zone)], ${this.loadBalancerSubnetList}))}`,
    );
  }

  /**
   * The route tables the private subnets use: for the gateway endpoints (which route by table) and the check that
   * no private subnet routes to an internet gateway. A subnet with no explicit association uses the VPC's main route
   * table, and no lookup by subnet finds that (DescribeRouteTables lists only explicit associations): each private
   * subnet's explicit table, or else the main one. Looked up once, on first use.
   */
  privateRouteTableIds(): string[] {
    return Token.asList(`\${${this.privateRouteTables()}}`);
  }

  /** The same route tables as an HCL expression, to combine with others inside one expression. */
  privateRouteTables(): string {
    if (this.routeTables) return this.routeTables;
    const explicit = new DataAwsRouteTables(this, "private-subnet-route-table", {
      forEach: TerraformIterator.fromList(this.privateSubnetIds),
      vpcId: this.vpc.id,
      filter: [{ name: "association.subnet-id", values: ["${each.value}"] }],
    });
    const main = new DataAwsRouteTable(this, "main-route-table", {
      vpcId: this.vpc.id,
      filter: [{ name: "association.main", values: ["true"] }],
    });
    this.routeTables = `distinct(flatten([for tables in ${explicit.fqn} : length(tables.ids) > 0 ? tables.ids : [${main.fqn}.id]]))`;
    return this.routeTables;
  }
}

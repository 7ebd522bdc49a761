import { Construct } from "constructs";
import { DataResource, Fn, Op, TerraformIterator } from "cdktf";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { DataAwsSubnets } from "@cdktf/provider-aws/lib/data-aws-subnets";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";

export interface NetworkProps {
  /** The existing VPC the architecture is deployed into. */
  readonly vpcId: string;
  /** Fewest subnets, and fewest availability zones, per tier: AWS load balancers need two AZs. @default 2 */
  readonly minimumPerTier?: number;
}

export type SubnetTier = "private" | "public";

/**
 * Looks up the existing VPC and its subnets tagged `tier=private` / `tier=public`. The plan fails with a message
 * naming the problem when a tier has too few subnets, or when they sit in too few availability zones.
 */
export class Network extends Construct {
  readonly vpc: DataAwsVpc;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const minimum = props.minimumPerTier ?? 2;
    this.vpc = new DataAwsVpc(this, "vpc", { id: props.vpcId });
    this.privateSubnetIds = this.lookupTier("private", props.vpcId, minimum);
    this.publicSubnetIds = this.lookupTier("public", props.vpcId, minimum);
  }

  private lookupTier(tier: SubnetTier, vpcId: string, minimum: number): string[] {
    const howToFix = `Tag subnets of ${vpcId} with tier=${tier} in at least ${minimum} availability zones, or fix vpc_id in terraform.tfvars.json.`;
    const subnets = new DataAwsSubnets(this, `${tier}-subnets`, {
      filter: [
        { name: "vpc-id", values: [vpcId] },
        { name: "tag:tier", values: [tier] },
      ],
      lifecycle: {
        postcondition: [
          {
            // `self` is only valid inside the condition itself, so this one is written as a raw expression.
            condition: `\${length(self.ids) >= ${minimum}}`,
            errorMessage: `Found fewer than ${minimum} subnets tagged tier=${tier}. ${howToFix}`,
          },
        ],
      },
    });
    // The subnets list has no AZs: look each subnet up, then require distinct AZs before anything is planned.
    const details = new DataAwsSubnet(this, `${tier}-subnet`, {
      forEach: TerraformIterator.fromList(subnets.ids),
      id: "${each.value}",
    });
    // A list-typed expression used as-is: cdktf's Fn helpers accept any resolvable for list arguments.
    const zones = TerraformIterator.fromDataSources(details).forExpressionForList("val.availability_zone") as unknown as string[];
    new DataResource(this, `${tier}-subnet-zones`, {
      input: zones,
      lifecycle: {
        precondition: [
          {
            condition: Op.gte(Fn.lengthOf(Fn.distinct(zones)), minimum),
            errorMessage: `The subnets tagged tier=${tier} are in fewer than ${minimum} availability zones. ${howToFix}`,
          },
        ],
      },
    });
    return subnets.ids;
  }
}

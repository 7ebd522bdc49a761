import type { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import type { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";

/** The hops of the request path, in order: the dashboard has one row per hop, each with that hop's alarms. */
export const HOPS = ["ingest", "queue", "processor", "table", "ingress", "api", "query"] as const;
export type Hop = (typeof HOPS)[number];

/**
 * DynamoDB operations the two services call (apps/processor/src/store.ts: a conditional PutItem per item;
 * apps/api/src/requests-table.ts: GetItem). DynamoDB reports throttles and system errors per operation, so the
 * alarms sum exactly these.
 */
export const TABLE_OPERATIONS = ["GetItem", "PutItem"] as const;

export interface RestApiStageRef {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
}

/** The resources the alarms and the dashboard watch. */
export interface MonitoredResources {
  readonly ingestApi: RestApiStageRef;
  readonly queryApi: RestApiStageRef;
  readonly queue: SqsQueue;
  readonly table: DynamodbTable;
  readonly cluster: EcsCluster;
  readonly apiService: EcsService;
  readonly processorService: EcsService;
  readonly alb: Lb;
  /** The ALB's ip target group the api tasks register in. */
  readonly serviceTargetGroup: LbTargetGroup;
  /** The second group ECS shifts api traffic to (non-rolling strategies). @default none: one group holds every task */
  readonly alternateTargetGroup?: LbTargetGroup | null;
  /** The NLB and its target group holding the ALB. @default no NLB in the private path: no NLB alarm or graph */
  readonly nlb?: { readonly loadBalancer: Lb; readonly albTargetGroup: LbTargetGroup } | null;
  /** The web ACL this stack created for both stages. @default none (or one managed elsewhere): no WAF alarm or graph */
  readonly webAcl?: { readonly acl: Wafv2WebAcl; readonly region: string } | null;
}

/** WAF's metric dimensions for a web ACL as a whole (every rule): WAF publishes them per region. */
export function wafDimensions(webAcl: NonNullable<MonitoredResources["webAcl"]>): Record<string, string> {
  return { WebACL: webAcl.acl.name, Region: webAcl.region, Rule: "ALL" };
}

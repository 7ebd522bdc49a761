import { Construct } from "constructs";
import { ApiGatewayApiKey } from "@cdktf/provider-aws/lib/api-gateway-api-key";
import { ApiGatewayUsagePlan } from "@cdktf/provider-aws/lib/api-gateway-usage-plan";
import { ApiGatewayUsagePlanKey } from "@cdktf/provider-aws/lib/api-gateway-usage-plan-key";
import type { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";

export interface ApiAccessProps {
  readonly name: string;
  /** Stages the key opens. */
  readonly stages: readonly ApiGatewayStage[];
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Requests per day per key. @default no quota */
  readonly quotaPerDay?: number | null;
}

/** One API key and the usage plan that meters it across both APIs. */
export class ApiAccess extends Construct {
  readonly apiKey: ApiGatewayApiKey;

  constructor(scope: Construct, id: string, props: ApiAccessProps) {
    super(scope, id);
    const plan = new ApiGatewayUsagePlan(this, "plan", {
      name: props.name,
      description: "Default plan for the ingest and query APIs",
      apiStages: props.stages.map((stage) => ({ apiId: stage.restApiId, stage: stage.stageName })),
      throttleSettings: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      ...(props.quotaPerDay ? { quotaSettings: { limit: props.quotaPerDay, period: "DAY" } } : {}),
    });
    this.apiKey = new ApiGatewayApiKey(this, "key", { name: `${props.name}-default`, enabled: true });
    new ApiGatewayUsagePlanKey(this, "plan-key", { keyId: this.apiKey.id, keyType: "API_KEY", usagePlanId: plan.id });
  }
}

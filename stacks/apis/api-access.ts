import { Construct } from "constructs";
import { ApiGatewayApiKey } from "@cdktf/provider-aws/lib/api-gateway-api-key";
import { ApiGatewayUsagePlan } from "@cdktf/provider-aws/lib/api-gateway-usage-plan";
import { ApiGatewayUsagePlanKey } from "@cdktf/provider-aws/lib/api-gateway-usage-plan-key";
import type { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { DEFAULT_CLIENT, type ApiName, type Client } from "../../config/access-fields.js";

export interface ApiAccessProps {
  /** Prefix of every key and plan name (`<project>-<environment>`). */
  readonly name: string;
  /** Each client's key opens the stages of the APIs it names. */
  readonly stages: Readonly<Record<ApiName, ApiGatewayStage>>;
  readonly clients: readonly Client[];
}

/**
 * One API key and one usage plan per client: a plan's limits apply per key, so each client gets its own rate, burst
 * and quota, and its key is rotated or revoked without touching the others. The `default` client keeps the construct
 * ids of the single key a config without `clients` has always had, so naming it keeps that key.
 */
export class ApiAccess extends Construct {
  /** Each client's key, by client name. */
  readonly apiKeys: Readonly<Record<string, ApiGatewayApiKey>>;

  constructor(scope: Construct, id: string, props: ApiAccessProps) {
    super(scope, id);
    this.apiKeys = Object.fromEntries(
      props.clients.map((client) => {
        const home = client.name === DEFAULT_CLIENT ? this : new Construct(this, `client-${client.name}`);
        return [client.name, clientKey(home, props, client)];
      }),
    );
  }
}

function clientKey(scope: Construct, props: ApiAccessProps, client: Client): ApiGatewayApiKey {
  const isDefault = client.name === DEFAULT_CLIENT;
  const apis = `${client.apis.join(" and ")} API${client.apis.length > 1 ? "s" : ""}`;
  const plan = new ApiGatewayUsagePlan(scope, "plan", {
    name: isDefault ? props.name : `${props.name}-${client.name}`,
    description: isDefault ? `Default plan for the ${apis}` : `Client ${client.name}: the ${apis}`,
    apiStages: client.apis.map((api) => ({ apiId: props.stages[api].restApiId, stage: props.stages[api].stageName })),
    throttleSettings: { rateLimit: client.rate_limit, burstLimit: client.burst_limit },
    ...(client.quota_per_day ? { quotaSettings: { limit: client.quota_per_day, period: "DAY" } } : {}),
  });
  const key = new ApiGatewayApiKey(scope, "key", { name: `${props.name}-${client.name}`, enabled: true });
  new ApiGatewayUsagePlanKey(scope, "plan-key", { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id });
  return key;
}

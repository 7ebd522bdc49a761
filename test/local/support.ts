import { randomBytes } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createQueues, LOCAL_CREDENTIALS, type CreatedQueue } from "../../local/resources.js";
import { buildRestApiModels } from "../../local/gateway/api-model.js";
import type { AccessControl } from "../../local/gateway/access/access.js";
import type { KeyValueSource } from "../../local/gateway/api-keys.js";
import type { RestApiModel } from "../../local/gateway/model.js";
import { startGateway, type LocalGateway } from "../../local/gateway/server.js";
import { startSqsQueryAdapter, type SqsQueryAdapter } from "../../local/gateway/sqs-query-adapter.js";
import { localReferences } from "../../local/emulators.js";
import type { TfJson as TerraformJson } from "../../tfjson/index.js";

/** Helpers for the local-stack tests: unique names in the shared emulators, and the gateways alone. */

/** A project name (config `project`) no other test uses, so queue and table names do not collide in shared emulators. */
export function uniqueProject(prefix: string): string {
  return `${prefix}${randomBytes(3).toString("hex")}`;
}

export interface GatewaysOnly {
  readonly ingest: LocalGateway;
  readonly query: LocalGateway;
  readonly apiKey: string;
  readonly queues: readonly CreatedQueue[];
  readonly sqs: SQSClient;
  close(): Promise<void>;
}

/**
 * The two local gateways of a synth without the services: queues in the shared fauxqs, the SQS Query adapter, and
 * the query API's VPC link pointed at `vpcLinkOrigin` (a stub). Fast enough for per-scenario synths.
 */
export async function startGatewaysOnly(
  doc: TerraformJson,
  options: {
    sqsEndpoint: string;
    vpcLinkOrigin?: string;
    createQueues?: boolean;
    accessLog?: (api: string, line: string) => void;
    /** Makes the local principals, Cognito and the meter from the models (`startLocalAccess`). @default none */
    access?: (apis: readonly RestApiModel[]) => Promise<AccessControl>;
    /** @default "test-key" for every key */
    keyValues?: KeyValueSource;
  },
): Promise<GatewaysOnly> {
  const region = "eu-west-1";
  const refs = localReferences(doc);
  const queues =
    options.createQueues === false ? [] : await createQueues(doc, refs, { endpoint: options.sqsEndpoint, region });
  const adapter: SqsQueryAdapter = await startSqsQueryAdapter({
    sqsEndpoint: options.sqsEndpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
  });
  const apis = buildRestApiModels(doc, refs, options.keyValues ?? (() => "test-key"));
  const access = options.access ? await options.access(apis) : undefined;
  const gateways = await Promise.all(
    apis.map((api) =>
      startGateway(api, {
        targets: { awsEndpoint: () => adapter.url, vpcLinkOrigin: options.vpcLinkOrigin },
        onError: (error) => console.error(error),
        access,
        accessLog: options.accessLog ? (line) => options.accessLog!(api.name, line) : undefined,
      }),
    ),
  );
  const find = (kind: string) => {
    const gateway = gateways.find((g) => g.api.id.startsWith(`${kind}-api`));
    if (!gateway) throw new Error(`no ${kind} API in the synth`);
    return gateway;
  };
  const sqs = new SQSClient({ region, endpoint: options.sqsEndpoint, credentials: LOCAL_CREDENTIALS });
  return {
    ingest: find("ingest"),
    query: find("query"),
    apiKey: "test-key",
    queues,
    sqs,
    close: async () => {
      sqs.destroy();
      await Promise.all([...gateways.map((g) => g.close()), adapter.close()]);
    },
  };
}

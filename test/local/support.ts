import { randomBytes } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createQueues, LOCAL_CREDENTIALS, type CreatedQueue } from "../../local/resources.js";
import { buildRestApiModels } from "../../local/gateway/api-model.js";
import { startLocalAccess, type LocalAccess } from "../../local/access-setup.js";
import type { LocalPrincipal } from "../../local/gateway/access/iam-principals.js";
import type { KeyValueSource } from "../../local/gateway/api-keys.js";
import { startGateway, type LocalGateway } from "../../local/gateway/server.js";
import { startSqsQueryAdapter, type SqsQueryAdapter } from "../../local/gateway/sqs-query-adapter.js";
import { localReferences } from "../../local/emulators.js";
import type { TfJson as TerraformJson } from "../../tfjson/index.js";
import { signedFetch } from "../../kit/sigv4-client.js";

/** Helpers for the local-stack tests: unique names in the shared emulators, and the gateways alone. */

/**
 * Config changes for tests about API keys, templates, validation or the pipeline rather than who signs: the
 * `api_key` mode, where the client's `x-api-key` is its only credential (so the key tests test the key alone).
 */
export const KEY_ONLY_AUTHORIZATION = {
  authorization: {
    ingest: "api_key",
    query: "api_key",
    api_key_only_reason: "local tests of API keys, templates and validation",
  },
} as const;

/** A client role the `iam`-mode synths name in `iam_principals` (the local principals sign as it). */
export const CLIENT_ROLE = "arn:aws:iam::000000000000:role/orders-client";
/** A user pool for the `cognito`-mode synths: the local Cognito stands in for it. */
export const POOL_ARN = "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_LocalPool";
/** The scopes POST and GET require by default (`authorization.cognito_scopes`). */
export const SCOPES = { write: "requests/write", read: "requests/read" } as const;

export interface SendInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}
/** A fetch that adds a client's credentials to every request. */
export type Send = (url: string, init?: SendInit) => Promise<Response>;

/**
 * fetch as a local IAM principal of an `iam`-mode synth (by default the first one its resource policies admit):
 * SigV4-signed with the key pair `npm run local` made for it, plus `x-api-key` when a key is given.
 */
export function signedAs(
  stack: { readonly access?: { readonly principals: readonly LocalPrincipal[] }; readonly region: string },
  apiKey: string | undefined,
  principal = stack.access?.principals.find((p) => p.named),
): Send {
  if (!principal)
    throw new Error("no local principal signs: the synth has no AWS_IAM method, or access was not started");
  return (url, init = {}) =>
    signedFetch(principal, stack.region, url, {
      ...init,
      headers: { ...init.headers, ...(apiKey === undefined ? {} : { "x-api-key": apiKey }) },
    });
}

/** A project name (config `project`) no other test uses, so queue and table names do not collide in shared emulators. */
export function uniqueProject(prefix: string): string {
  return `${prefix}${randomBytes(3).toString("hex")}`;
}

export interface GatewaysOnly {
  readonly ingest: LocalGateway;
  readonly query: LocalGateway;
  readonly apiKey: string;
  readonly region: string;
  /** The local principals, Cognito and usage meter, when started with `access: true`. */
  readonly access: LocalAccess | undefined;
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
    /** Start the local principals, Cognito and the meter from the models (`startLocalAccess`). @default none */
    access?: boolean;
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
  const access = options.access ? await startLocalAccess(apis, "127.0.0.1") : undefined;
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
    region,
    access,
    queues,
    sqs,
    close: async () => {
      sqs.destroy();
      await Promise.all([...gateways.map((g) => g.close()), adapter.close(), access?.stop()]);
    },
  };
}

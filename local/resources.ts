import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { References } from "./references.js";
import { resources, show, type TfJson } from "../tfjson/index.js";

/**
 * Creates the synth's aws_sqs_queue and aws_dynamodb_table resources in the emulators with the settings that change
 * behaviour (visibility timeout, redrive policy and maxReceiveCount, retention, long polling, key schema, TTL), and
 * registers their local URL/ARN/name so every `${aws_sqs_queue.X.url}` elsewhere in the synth resolves.
 * Not emulated: SSE, queue policies, point-in-time recovery, deletion protection (see docs/LOCAL.md).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

const QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  visibility_timeout_seconds: "VisibilityTimeout",
  message_retention_seconds: "MessageRetentionPeriod",
  receive_wait_time_seconds: "ReceiveMessageWaitTimeSeconds",
  delay_seconds: "DelaySeconds",
  max_message_size: "MaximumMessageSize",
  fifo_queue: "FifoQueue",
  content_based_deduplication: "ContentBasedDeduplication",
  redrive_policy: "RedrivePolicy",
};

/** terraform-provider-aws `aws_sqs_queue.max_message_size` default (kept at 256 KiB when SQS raised its own to 1 MiB). */
export const PROVIDER_DEFAULT_MAX_MESSAGE_SIZE = 262_144;

export interface CreatedQueue {
  readonly resource: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export async function createQueues(
  doc: TfJson,
  refs: References,
  options: { readonly endpoint: string; readonly region: string; readonly visibilityTimeoutSeconds?: number },
): Promise<CreatedQueue[]> {
  const sqs = new SQSClient({ region: options.region, endpoint: options.endpoint, credentials: LOCAL_CREDENTIALS });
  try {
    // Dead-letter queues first: a redrive policy names its DLQ's ARN, which exists only once the DLQ does.
    const queues = resources(doc, "aws_sqs_queue").sort(
      (a, b) => Number(a.body.redrive_policy !== undefined) - Number(b.body.redrive_policy !== undefined),
    );
    const created: CreatedQueue[] = [];
    for (const { name: resource, body: raw } of queues) {
      const where = `aws_sqs_queue.${resource}`;
      const unsupported = Object.keys(raw).filter(
        (k) => !["//", "name", "sqs_managed_sse_enabled", "tags", ...Object.keys(QUEUE_ATTRIBUTES)].includes(k),
      );
      if (unsupported.length > 0)
        throw new Error(`local: ${where} sets ${unsupported.join(", ")}, which the local stack does not create`);
      const name = refs.resolveString(String(raw.name), where);
      const attributes: Record<string, string> = {};
      for (const [key, attribute] of Object.entries(QUEUE_ATTRIBUTES)) {
        if (raw[key] !== undefined) attributes[attribute] = refs.resolveString(show(raw[key]), where);
      }
      // Terraform's AWS provider sends its schema default (256 KiB) when max_message_size is unset; the SQS API's own
      // default, which fauxqs follows, has been 1 MiB since August 2025. Use the provider's, as a deployed queue has it.
      attributes.MaximumMessageSize ??= String(PROVIDER_DEFAULT_MAX_MESSAGE_SIZE);
      // Test-only knob (documented): shortens redelivery so a poison message reaches the DLQ in seconds.
      if (options.visibilityTimeoutSeconds !== undefined)
        attributes.VisibilityTimeout = String(options.visibilityTimeoutSeconds);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
      const url = QueueUrl!;
      const arn = Attributes!.QueueArn!;
      refs.set(`${where}.url`, url).set(`${where}.id`, url).set(`${where}.arn`, arn);
      created.push({ resource, name, url, arn, attributes });
    }
    return created;
  } finally {
    sqs.destroy();
  }
}

export interface CreatedTable {
  readonly resource: string;
  readonly name: string;
  readonly keySchema: CreateTableCommandInput["KeySchema"];
}

/** An aws_dynamodb_table, resolved: the attributes the local stack creates the table from. */
interface TableBody {
  readonly name: string;
  readonly hash_key: string;
  readonly range_key?: string;
  readonly attribute: readonly { readonly name: string; readonly type: "S" | "N" | "B" }[];
  readonly billing_mode?: string;
  readonly read_capacity?: number;
  readonly write_capacity?: number;
  readonly ttl?: { readonly enabled?: boolean; readonly attribute_name?: string };
  readonly global_secondary_index?: unknown;
  readonly local_secondary_index?: unknown;
  readonly stream_enabled?: unknown;
}

export async function createTables(
  doc: TfJson,
  refs: References,
  options: { readonly endpoint: string; readonly region: string },
): Promise<CreatedTable[]> {
  const dynamo = new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const created: CreatedTable[] = [];
    for (const { name: resource, body: raw } of resources(doc, "aws_dynamodb_table")) {
      const where = `aws_dynamodb_table.${resource}`;
      const body = refs.resolve<unknown>(raw, where) as TableBody;
      if (body.global_secondary_index || body.local_secondary_index || body.stream_enabled) {
        throw new Error(`local: ${where} has indexes or streams, which the local stack does not create yet`);
      }
      const keySchema: CreateTableCommandInput["KeySchema"] = [
        { AttributeName: body.hash_key, KeyType: "HASH" },
        ...(body.range_key ? [{ AttributeName: body.range_key, KeyType: "RANGE" as const }] : []),
      ];
      const provisioned = body.billing_mode === "PROVISIONED";
      const input: CreateTableCommandInput = {
        TableName: body.name,
        KeySchema: keySchema,
        AttributeDefinitions: body.attribute.map((a) => ({
          AttributeName: a.name,
          AttributeType: a.type,
        })),
        BillingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        ...(provisioned
          ? {
              ProvisionedThroughput: { ReadCapacityUnits: body.read_capacity, WriteCapacityUnits: body.write_capacity },
            }
          : {}),
      };
      let arn: string;
      try {
        arn = (await dynamo.send(new CreateTableCommand(input))).TableDescription!.TableArn!;
      } catch (error) {
        // A persisted DynamoDB Local (--persist) already has the table from the last run: keep its data.
        if ((error as Error).name !== "ResourceInUseException") throw error;
        arn = `arn:aws:dynamodb:${options.region}:000000000000:table/${body.name}`;
      }
      if (body.ttl?.enabled) {
        await dynamo
          .send(
            new UpdateTimeToLiveCommand({
              TableName: body.name,
              TimeToLiveSpecification: { Enabled: true, AttributeName: body.ttl.attribute_name },
            }),
          )
          .catch((error: Error) => {
            if (!/already enabled/i.test(error.message)) throw error;
          });
      }
      refs.set(`${where}.arn`, arn).set(`${where}.id`, body.name);
      created.push({ resource, name: body.name, keySchema });
    }
    return created;
  } finally {
    dynamo.destroy();
  }
}

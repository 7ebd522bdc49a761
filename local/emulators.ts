import { startDynamoDbLocal } from "./dynamodb-local.js";
import { startSqsLocal } from "./sqs-local.js";
import { References } from "./references.js";
import type { TfJson } from "../tfjson/index.js";

/**
 * The two AWS services the architecture stores data in, emulated on loopback:
 * - SQS: fauxqs, in this process, in memory (queues and messages are gone when the local stack stops);
 * - DynamoDB: AWS's DynamoDB Local (Java) as a child process, in memory unless `dataDir` is given.
 * The services started locally also get local/localhost-dns.ts preloaded (see sqs-local.ts).
 */
export interface Emulators {
  readonly sqsEndpoint: string;
  readonly dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** fauxqs's fixed account id: every local ARN and queue URL uses it. */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** The synth's references, with what AWS would tell about the emulated account: its id and the `aws` partition. */
export function localReferences(doc: TfJson): References {
  return new References(doc)
    .set("data.aws_caller_identity.caller.account_id", LOCAL_ACCOUNT_ID)
    .set("data.aws_partition.partition.partition", "aws")
    .set("data.aws_partition.partition.reverse_dns_prefix", "com.amazonaws");
}

export async function startEmulators(options: {
  readonly region: string;
  readonly dataDir?: string;
}): Promise<Emulators> {
  const [sqs, dynamo] = await Promise.allSettled([
    startSqsLocal({ region: options.region }),
    startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {}),
  ]);
  if (sqs.status === "rejected" || dynamo.status === "rejected") {
    // Don't leave the one that did start running.
    if (sqs.status === "fulfilled") await sqs.value.stop();
    if (dynamo.status === "fulfilled") await dynamo.value.stop();
    throw sqs.status === "rejected" ? sqs.reason : (dynamo as PromiseRejectedResult).reason;
  }
  return {
    sqsEndpoint: sqs.value.endpoint,
    dynamoEndpoint: dynamo.value.endpoint,
    stop: async () => {
      await Promise.allSettled([sqs.value.stop(), dynamo.value.stop()]);
    },
  };
}

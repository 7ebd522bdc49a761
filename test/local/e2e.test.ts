import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { serviceNodePath } from "../../kit/image-node.js";
import { LOCAL_CREDENTIALS } from "../../local/resources.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import { sharedEmulators } from "../support/shared-emulators.js";
import { synthApp } from "../support/synth.js";
import { signedAs, uniqueProject, type Send } from "./support.js";
import { waitFor } from "../support/wait-for.js";

/**
 * The whole architecture as `npm run local` runs it (synth -> queues/table -> api + processor processes -> two
 * local API Gateways), on free ports, against the suite's shared emulators. The synth lowers max_receive_count so a
 * poison message reaches the DLQ quickly, and the documented test-only option shortens the visibility timeout.
 * The example's default `iam` mode: requests are SigV4-signed as the local principal and carry the client's key.
 */
let stack: LocalStack;
let sqs: SQSClient;
/** Signed as the local principal, with the key of the client that opens both APIs. */
let client: Send;
/** Signed, but without an API key. */
let keyless: Send;

beforeAll(async () => {
  const doc = synthApp({
    project: uniqueProject("e2e"),
    max_receive_count: 2,
    services: { api: { image_tag: "0.1.0" }, processor: { image_tag: "0.1.0", max_batch_seconds: 5 } },
  }).main;
  stack = await startLocalStack({
    synth: doc,
    emulators: sharedEmulators(),
    node: serviceNodePath(inject("imageNode")),
    visibilityTimeoutSeconds: 2,
    logLevel: "warn",
  });
  sqs = new SQSClient({ region: stack.region, endpoint: stack.sqsEndpoint, credentials: LOCAL_CREDENTIALS });
  client = signedAs(stack, stack.apiKey);
  keyless = signedAs(stack, undefined);
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

const postRequest = (body: string, send = client) =>
  send(`${stack.ingestUrl}/requests`, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("local stack: end to end", () => {
  test("local: POST /requests returns 202 and the item is readable through the query API within seconds", async () => {
    const payload = { customer: "c-42", items: [{ sku: "A-1", qty: 2 }], note: "héllo & goodbye" };
    const accepted = await postRequest(JSON.stringify(payload));
    expect(accepted.status).toBe(202);
    const { requestId } = (await accepted.json()) as { requestId: string };
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const item = await waitFor(
      `GET ${stack.queryUrl}/requests/${requestId} to return 200`,
      async () => {
        const response = await client(`${stack.queryUrl}/requests/${requestId}`);
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(item).toMatchObject({ requestId, status: "processed", payload });
  });

  test("local: the queue, DLQ and table are created with the synth's redrive policy, long polling and key schema", async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.outputs.queue_url!, AttributeNames: ["All"] }),
    );
    const dlq = stack.queues.find((q) => q.url === stack.outputs.dead_letter_queue_url)!;
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
    expect(Attributes).toMatchObject({
      ReceiveMessageWaitTimeSeconds: "20",
      MessageRetentionPeriod: "345600",
      VisibilityTimeout: "2",
      MaximumMessageSize: "262144",
    });
    const dynamo = new DynamoDBClient({
      region: stack.region,
      endpoint: stack.dynamoEndpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: stack.outputs.table_name! }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: "requestId", KeyType: "HASH" }]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    } finally {
      dynamo.destroy();
    }
  });

  test("local: a body that is not a JSON object gets the 400 of the synth's BAD_REQUEST_BODY gateway response", async () => {
    for (const body of ["[1,2]", '"text"', "null", "not json"]) {
      const response = await postRequest(body);
      expect(response.status, body).toBe(400);
      const answer = (await response.json()) as Record<string, unknown>;
      // The wording belongs to the stack (stacks/apis/gateway-responses.ts); the shape and the request id are the gateway's.
      expect(answer, body).toMatchObject({
        error: "invalid_body",
        message: expect.any(String),
        requestId: response.headers.get("x-amzn-requestid"),
      });
    }
  });

  test("local: a signed request without the API key gets 403 on both APIs", async () => {
    const ingest = await postRequest("{}", keyless);
    expect(ingest.status).toBe(403);
    expect(await ingest.json()).toMatchObject({
      error: "client_error",
      message: expect.stringMatching(/^Forbidden: /),
    });
    const query = await keyless(`${stack.queryUrl}/requests/00000000-0000-4000-8000-000000000000`);
    expect(query.status).toBe(403);
    const health = await fetch(`${stack.queryUrl}/health`);
    expect(health.status).toBe(403);
  });

  test("local: a poison message (a JSON object DynamoDB cannot store) ends in the DLQ after max_receive_count receives", async () => {
    // Passes the model (it is an object) and is queued, but the processor can never store an empty attribute name.
    const accepted = await postRequest('{"": "empty key"}');
    expect(accepted.status).toBe(202);
    const { requestId } = (await accepted.json()) as { requestId: string };
    const dlqUrl = stack.outputs.dead_letter_queue_url!;

    const deadLetter = await waitFor(
      `message ${requestId} to reach the DLQ (2 receives x 2 s visibility)`,
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
        );
        return Messages?.find((m) => m.MessageId === requestId);
      },
      { timeoutMs: 20_000, intervalMs: 0 },
    );
    expect(deadLetter.Body).toBe('{"": "empty key"}');
    const query = await client(`${stack.queryUrl}/requests/${requestId}`);
    expect(query.status).toBe(404);
  });

  test("local: the gateways and both services listen on 127.0.0.1 only (LISTEN_HOST), not on the machine's other addresses", async (context) => {
    const other = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === "IPv4" && !address.internal)?.address;
    if (!other) {
      console.warn("SKIPPED the bind-address check: this machine has no non-loopback IPv4 address to try");
      context.skip();
    }
    const ports = [...Object.values(stack.serviceOrigins), stack.ingestUrl, stack.queryUrl].map((url) =>
      Number(new URL(url).port),
    );
    expect(ports).toHaveLength(4);
    for (const port of ports) {
      expect(await reachable("127.0.0.1", port), `127.0.0.1:${port}`).toBe(true);
      expect(await reachable(other!, port), `${other}:${port}`).toBe(false);
    }
  });
});

/** Whether a TCP connection to host:port is accepted. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

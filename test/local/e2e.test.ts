import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { LOCAL_CREDENTIALS } from "../../local/resources.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import { synthApp } from "../support/synth.js";
import { uniqueProject, waitFor } from "./support.js";

/**
 * The whole architecture as `npm run local` runs it (synth -> queues/table -> api + processor processes -> two
 * local API Gateways), on free ports, against the suite's shared emulators. The synth lowers max_receive_count so a
 * poison message reaches the DLQ quickly, and the documented test-only option shortens the visibility timeout.
 */
let stack: LocalStack;
let sqs: SQSClient;

beforeAll(async () => {
  const doc = synthApp({
    project: uniqueProject("e2e"),
    max_receive_count: 2,
    services: { api: { image_tag: "0.1.0" }, processor: { image_tag: "0.1.0", max_batch_seconds: 5 } },
  }).main;
  stack = await startLocalStack({
    synth: doc,
    emulators: { sqsEndpoint: inject("sqsEndpoint"), dynamoEndpoint: inject("dynamoEndpoint") },
    visibilityTimeoutSeconds: 2,
    logLevel: "warn",
  });
  sqs = new SQSClient({ region: stack.region, endpoint: stack.sqsEndpoint, credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

const withKey = (headers: Record<string, string> = {}): Record<string, string> => ({ "x-api-key": stack.apiKey!, ...headers });
const postRequest = (body: string, headers = withKey({ "content-type": "application/json" })) =>
  fetch(`${stack.ingestUrl}/requests`, { method: "POST", headers, body });

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
        const response = await fetch(`${stack.queryUrl}/requests/${requestId}`, { headers: withKey() });
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
      },
      5_000,
    );
    expect(item).toMatchObject({ requestId, status: "processed", payload });
  });

  test("local: a body that is not a JSON object gets API Gateway's 400 from the synthesized model", async () => {
    for (const body of ["[1,2]", "not json"]) {
      const response = await postRequest(body);
      expect(response.status, body).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_body", message: expect.stringMatching(/^\[.+\]$/) });
    }
    const array = await postRequest("[1,2]");
    expect(((await array.json()) as { message: string }).message).toBe(
      '[instance type (array) does not match any allowed primitive type (allowed: ["object"])]',
    );
  });

  test("local: a request without the API key gets 403 on both APIs", async () => {
    const ingest = await postRequest("{}", { "content-type": "application/json" });
    expect(ingest.status).toBe(403);
    expect(await ingest.json()).toMatchObject({ error: "client_error", message: "Forbidden" });
    const query = await fetch(`${stack.queryUrl}/health`);
    expect(query.status).toBe(403);
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
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
        return Messages?.find((m) => m.MessageId === requestId);
      },
      20_000,
      0,
    );
    expect(deadLetter.Body).toBe('{"": "empty key"}');
    const query = await fetch(`${stack.queryUrl}/requests/${requestId}`, { headers: withKey() });
    expect(query.status).toBe(404);
  });
});

import { inject, test, expect } from "vitest";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
test("emulators: answer", async () => {
  const ddb = new DynamoDBClient({ endpoint: inject("dynamoEndpoint"), region: "us-east-1", credentials });
  expect((await ddb.send(new ListTablesCommand({}))).TableNames).toBeDefined();
  const sqs = new SQSClient({ endpoint: inject("sqsEndpoint"), region: "us-east-1", credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "probe" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "{}" }));
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  expect(r.Messages?.length).toBe(1);
});

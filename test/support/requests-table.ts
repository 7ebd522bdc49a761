import { CreateTableCommand } from "@aws-sdk/client-dynamodb";

/** Anything that can send a CreateTable command: the low-level client or a document client. */
interface CommandSender {
  send(command: CreateTableCommand): Promise<unknown>;
}

/** Creates a results table as the main stack declares it: keyed by `requestId` (string), on-demand. */
export async function createRequestsTable(client: CommandSender, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "requestId", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "requestId", KeyType: "HASH" }],
    }),
  );
}

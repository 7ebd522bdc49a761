import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../local/dynamodb-local.js";
import { startSqsLocal } from "../../local/sqs-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Shared DynamoDB Local endpoint; tests create their own uniquely named tables. */
    dynamoEndpoint: string;
    /** Shared fauxqs endpoint; tests create their own uniquely named queues. */
    sqsEndpoint: string;
  }
}

/** Starts one DynamoDB Local and one fauxqs for the whole run; tests that break an emulator start their own. */
export default async function setup(project: TestProject) {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sqsEndpoint", sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../local/dynamodb-local.js";
import { startSqsLocal } from "../../local/sqs-local.js";
import { fetchImageNode, type ImageNode } from "./image-node.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Shared DynamoDB Local endpoint; tests create their own uniquely named tables. */
    dynamoEndpoint: string;
    /** Shared fauxqs endpoint; tests create their own uniquely named queues. */
    sqsEndpoint: string;
    /** The images' Node.js binary for the bundle tests, or why it is unavailable (test/support/image-node.ts). */
    imageNode: ImageNode;
  }
}

/**
 * Starts one DynamoDB Local and one fauxqs for the whole run (tests that break an emulator start their own), and
 * fetches the images' Node.js once for the bundle tests.
 */
export default async function setup(project: TestProject) {
  const [dynamo, sqs, imageNode] = await Promise.all([startDynamoDbLocal(), startSqsLocal(), fetchImageNode()]);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sqsEndpoint", sqs.endpoint);
  project.provide("imageNode", imageNode);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

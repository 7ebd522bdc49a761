import type { TestProject } from "vitest/node";
import { fetchImageNode, fallbackNotice, type ImageNode } from "../../kit/image-node.js";
import { startDynamoDbLocal } from "../../local/dynamodb-local.js";
import { startSqsLocal } from "../../local/sqs-local.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Shared DynamoDB Local endpoint; tests create their own uniquely named tables. */
    dynamoEndpoint: string;
    /** Shared fauxqs endpoint; tests create their own uniquely named queues. */
    sqsEndpoint: string;
    /**
     * The images' Node.js binary, on which tests spawn the service processes, or why it is unavailable
     * (kit/image-node.ts; then they run on this Node, and this setup prints why once).
     */
    imageNode: ImageNode;
  }
}

/**
 * Starts one DynamoDB Local and one fauxqs for the whole run (tests that break an emulator start their own), and
 * fetches the images' Node.js once for the tests that spawn a service process.
 */
export default async function setup(project: TestProject) {
  const [dynamo, sqs, imageNode] = await Promise.all([startDynamoDbLocal(), startSqsLocal(), fetchImageNode()]);
  const notice = fallbackNotice(imageNode);
  if (notice) console.warn(notice);
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sqsEndpoint", sqs.endpoint);
  project.provide("imageNode", imageNode);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}

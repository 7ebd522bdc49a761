import type { TranslateConfig } from "@aws-sdk/lib-dynamodb";

/**
 * How an item's JavaScript values become DynamoDB attributes, for every writer of the results table (the processor,
 * and the tests that write items the way it does). Payloads are parsed JSON: plain objects, arrays and primitives.
 */
export const ITEM_MARSHALL_OPTIONS: NonNullable<TranslateConfig["marshallOptions"]> = {
  removeUndefinedValues: true,
  // JSON integers above 2^53 are valid payload (parsed as the nearest double); store them rather than throw.
  allowImpreciseNumbers: true,
  // The marshaller tells plain objects from class instances by their `constructor` property, so a JSON key named
  // "constructor" (`{"constructor": []}`) made a valid payload look like a class instance, which it refused.
  convertClassInstanceToMap: true,
};

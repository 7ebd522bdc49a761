import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { serviceNodePath } from "../../kit/image-node.js";
import { startLocalStack, type LocalStack } from "../../local/stack.js";
import { sharedEmulators } from "../support/shared-emulators.js";
import { synthApp } from "../support/synth.js";
import { signedAs, uniqueProject } from "./support.js";
import { waitFor } from "../support/wait-for.js";

/**
 * `npm run local` with `private_integration: "alb"` (VPC Link v2 straight to the ALB): the same request path end to
 * end as test/local/e2e.test.ts runs in the default `nlb` mode. The local gateway follows either link to the api
 * process, so what this proves is that an `alb` synth (no NLB, no v1 link, `integration_target` on the integrations)
 * is served: POST -> 202 -> the item readable through the query API (signed, in the example's default `iam` mode).
 */
let stack: LocalStack;

beforeAll(async () => {
  const doc = synthApp({
    project: uniqueProject("e2ealb"),
    private_integration: "alb",
    services: { api: { image_tag: "0.1.0" }, processor: { image_tag: "0.1.0", max_batch_seconds: 5 } },
  }).main;
  expect(Object.keys(doc.resource!.aws_apigatewayv2_vpc_link ?? {})).toHaveLength(1);
  expect(doc.resource!.aws_api_gateway_vpc_link).toBeUndefined();
  stack = await startLocalStack({
    synth: doc,
    emulators: sharedEmulators(),
    node: serviceNodePath(inject("imageNode")),
    logLevel: "warn",
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("local stack: end to end with private_integration alb", () => {
  test("local (alb): POST /requests returns 202 and the item is readable through the query API within seconds", async () => {
    const payload = { customer: "c-7", mode: "alb" };
    const client = signedAs(stack, stack.apiKey);
    const accepted = await client(`${stack.ingestUrl}/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    expect(accepted.status).toBe(202);
    const { requestId } = (await accepted.json()) as { requestId: string };
    const item = await waitFor(
      `GET ${stack.queryUrl}/requests/${requestId} to return 200`,
      async () => {
        const response = await client(`${stack.queryUrl}/requests/${requestId}`);
        return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(item).toMatchObject({ requestId, status: "processed", payload });
    const missing = await client(`${stack.queryUrl}/requests/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
  });
});

/**
 * The modules `npm run mutation` mutates, each with the fast tests that must kill its mutants (no emulators, no
 * subprocess: Stryker sees only code that runs in the test process). Shared by stryker.config.mjs,
 * vitest.mutation.config.ts and test/mutation/modules-load.test.ts.
 */
export const MUTATION_MODULES = {
  config: {
    mutate: [
      "config/schema.ts",
      "config/fields.ts",
      "config/field-types.ts",
      "config/service-fields.ts",
      "config/nested-fields.ts",
      "config/deployment-fields.ts",
      "config/cross-field.ts",
      "config/cost-fields.ts",
      "config/load.ts",
      "config/naming.ts",
      "config/key-hints.ts",
      "config/warnings.ts",
      "config/access-fields.ts",
      "config/capacity.ts",
      "config/authorization-fields.ts",
      "config/tracing-fields.ts",
    ],
    tests: [
      "test/infra/config.test.ts",
      "test/infra/config-load.test.ts",
      "test/infra/naming.test.ts",
      "test/infra/access.test.ts",
      "test/infra/operations/config-deployment.test.ts",
      "test/infra/access/authorization-config.test.ts",
    ],
  },
  policy: {
    mutate: [
      "policy/controls/index.ts",
      "policy/controls/check.ts",
      "policy/controls/api-gateway.ts",
      "policy/controls/access.ts",
      "policy/controls/elb.ts",
      "policy/controls/ecs.ts",
      "policy/controls/sqs.ts",
      "policy/controls/dynamodb.ts",
      "policy/controls/ecr.ts",
      "policy/controls/logs.ts",
      "policy/controls/iam.ts",
      "policy/controls/network.ts",
      "policy/controls/operations.ts",
      "policy/controls/deployments.ts",
      "tfjson/document.ts",
      "tfjson/resources.ts",
      "tfjson/policy-document.ts",
    ],
    tests: ["test/policy/controls*.test.ts", "test/policy/tfjson.test.ts"],
  },
  "request-id": {
    mutate: ["apps/api/src/request-id.ts"],
    tests: ["apps/api/test/request-id.test.ts"],
  },
  "item-json": {
    mutate: ["apps/api/src/item-json.ts"],
    tests: ["apps/api/test/item-json.test.ts"],
  },
  domain: {
    mutate: ["apps/processor/src/domain.ts"],
    tests: ["apps/processor/test/domain.test.ts", "apps/processor/test/owner-attribute.test.ts"],
  },
  writer: { mutate: ["apps/processor/src/write-retry.ts"], tests: ["apps/processor/test/write-retry.test.ts"] },
  batch: {
    mutate: [
      "apps/processor/src/lease.ts",
      "apps/processor/src/acks.ts",
      "apps/processor/src/hook.ts",
      "apps/processor/src/run-context.ts",
    ],
    tests: [
      "apps/processor/test/lease.test.ts",
      "apps/processor/test/acks.test.ts",
      "apps/processor/test/hook.test.ts",
    ],
  },
  consumer: { mutate: ["apps/processor/src/consumer.ts"], tests: ["apps/processor/test/consumer.test.ts"] },
  expiry: { mutate: ["apps/shared/src/result-expiry.ts"], tests: ["apps/processor/test/result-expiry.test.ts"] },
  owner: { mutate: ["apps/shared/src/owner.ts"], tests: ["apps/shared/test/owner.test.ts"] },
  tracing: {
    mutate: [
      "apps/shared/src/tracing.ts",
      "apps/shared/src/tracing-config.ts",
      "apps/shared/src/tracing-context.ts",
      "apps/shared/src/tracing-spans.ts",
      "apps/shared/src/tracing-messages.ts",
    ],
    tests: ["apps/shared/test/tracing.test.ts"],
  },
  // The local gateway's access enforcement (SigV4, resource policy, local principals, Cognito tokens, usage plans).
  "local-access": {
    mutate: [
      "local/gateway/access/sigv4.ts",
      "local/gateway/access/resource-policy.ts",
      "local/gateway/access/iam-principals.ts",
      "local/gateway/access/cognito.ts",
      "local/gateway/access/throttle.ts",
      "local/gateway/access/access.ts",
      "local/gateway/access/access-model.ts",
    ],
    tests: ["test/local/access/*.test.ts"],
  },
};

/** The module named by MUTATION_MODULE (set by tools/mutation.mjs for each Stryker run). */
export function mutationModule(name = process.env.MUTATION_MODULE) {
  const module = name && MUTATION_MODULES[name];
  if (!module)
    throw new Error(`MUTATION_MODULE must be one of ${Object.keys(MUTATION_MODULES).join(", ")} (got ${name})`);
  return { name, ...module };
}

import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../config/load.js";
import { configSchema } from "../../../config/schema.js";
import { exampleConfigInput } from "../../support/example-config.js";

/** The `authorization` key on its own and against the keys it depends on (no synth: the config module's mutants). */
const AUTH = (exampleConfigInput() as { authorization: Record<string, unknown> }).authorization;
const withAuth = (changes: Record<string, unknown>) => ({ authorization: { ...AUTH, ...changes } });
const POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";
const ROLE = "arn:aws:iam::123456789012:role/orders-web";

const problems = (changes: Record<string, unknown>) => {
  const result = configSchema.safeParse({ ...exampleConfigInput(), ...changes });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("authorization: config", () => {
  test("config: both APIs default to iam, open to this account's principals", () => {
    const { authorization } = parseConfig({ ...exampleConfigInput(), authorization: undefined });
    expect(authorization).toEqual({
      ingest: "iam",
      query: "iam",
      iam_principals: null,
      cognito_user_pool_arns: [],
      cognito_scopes: { write: "requests/write", read: "requests/read" },
      api_key_only_reason: null,
    });
  });

  test("config: cognito needs a user pool, and each setting needs the mode it serves", () => {
    expect(problems(withAuth({ query: "cognito" }))).toEqual([
      'authorization.cognito_user_pool_arns: expected at least one user pool ARN: the query API uses "cognito"',
    ]);
    expect(
      problems(withAuth({ cognito_user_pool_arns: [POOL], api_key_only_reason: "a partner without SigV4" })),
    ).toEqual([
      'authorization.cognito_user_pool_arns: only with an API in "cognito"',
      'authorization.api_key_only_reason: only with an API in "api_key"',
    ]);
    expect(problems(withAuth({ ingest: "api_key", query: "api_key", iam_principals: [ROLE] }))).toEqual([
      'authorization.iam_principals: only with an API in "iam"',
    ]);
  });

  test('config: "api_key" without api_key_required would leave the API open', () => {
    expect(problems({ ...withAuth({ ingest: "api_key" }), api_key_required: false, clients: null })).toEqual([
      'authorization.ingest: "api_key" needs api_key_required: without a key the API would take no credential at all',
    ]);
  });

  test("config: principals and pools are checked as ARNs of their kind", () => {
    expect(problems(withAuth({ iam_principals: ["arn:aws:iam::123456789012:role/*"] }))).toEqual([
      "authorization.iam_principals.0: expected an IAM role, user or account ARN such as arn:aws:iam::123456789012:role/orders-web (no wildcards)",
    ]);
    expect(problems(withAuth({ query: "cognito", cognito_user_pool_arns: ["eu-west-1_AbCdEf123"] }))).toContain(
      "authorization.cognito_user_pool_arns.0: expected a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123",
    );
  });
});

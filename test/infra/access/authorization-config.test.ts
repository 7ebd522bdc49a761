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
    expect(problems(withAuth({ query: "cognito", cognito_user_pool_arns: [POOL] }))).toEqual([
      'authorization.query: expected "iam", as authorization.ingest: a result belongs to the identity that sent it, which only the same mode can recognize when it reads',
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
    const keyOnly = withAuth({ ingest: "api_key", query: "api_key", api_key_only_reason: "a partner without SigV4" });
    expect(problems({ ...keyOnly, api_key_required: false, clients: null })).toEqual([
      'authorization.ingest: "api_key" needs api_key_required: without a key the API would take no credential at all',
      'authorization.query: "api_key" needs api_key_required: without a key the API would take no credential at all',
    ]);
  });

  test("config: principals and pools are checked as ARNs of their kind", () => {
    expect(problems(withAuth({ iam_principals: ["arn:aws:iam::123456789012:role/*"] }))).toEqual([
      "authorization.iam_principals.0: expected an IAM role, user or account ARN such as arn:aws:iam::123456789012:role/orders-web (no wildcards)",
    ]);
    expect(
      problems(withAuth({ ingest: "cognito", query: "cognito", cognito_user_pool_arns: ["eu-west-1_AbCdEf123"] })),
    ).toContain(
      "authorization.cognito_user_pool_arns.0: expected a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123",
    );
  });
});

describe("authorization: each value's format", () => {
  const accepted = (changes: Record<string, unknown>) => expect(problems(withAuth(changes))).toEqual([]);
  const GOV_POOL = "arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_AbC1";

  test("config: every key has its default, an empty object included", () => {
    const parsed = (authorization: unknown) => parseConfig({ ...exampleConfigInput(), authorization }).authorization;
    expect(parsed({})).toEqual(parsed(undefined));
    expect(parsed({ cognito_scopes: {} }).cognito_scopes).toEqual({ write: "requests/write", read: "requests/read" });
    expect(parsed({ cognito_scopes: { write: "orders/write" } }).cognito_scopes).toEqual({
      write: "orders/write",
      read: "requests/read",
    });
  });

  test("config: ARNs of every partition and region, roles with paths, whole accounts", () => {
    accepted({
      iam_principals: ["arn:aws-us-gov:iam::123456789012:role/team/orders-web", "arn:aws:iam::123456789012:root"],
    });
    accepted({ iam_principals: ["arn:aws-cn:iam::123456789012:user/ci"] });
    accepted({ ingest: "cognito", query: "cognito", cognito_user_pool_arns: [GOV_POOL, POOL] });
  });

  test.each([
    ["iam_principals", ["xarn:aws:iam::123456789012:role/a"]],
    ["iam_principals", ["arn:aws:iam::123456789012:role/a b"]],
    ["iam_principals", ["arn:aws1:iam::123456789012:role/a"]],
    ["iam_principals", []],
    ["cognito_user_pool_arns", [`x${POOL}`]],
    ["cognito_user_pool_arns", [`${POOL}/x`]],
    ["cognito_user_pool_arns", ["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west_AbC1"]],
    ["cognito_user_pool_arns", ["arn:aws:cognito-idp:eu-west:123456789012:userpool/eu-west-1_AbC1"]],
  ])("config: authorization.%s refuses %j", (key, value) => {
    const mode = key === "cognito_user_pool_arns" ? { ingest: "cognito", query: "cognito" } : {};
    expect(problems(withAuth({ ...mode, [key]: value })).length).toBeGreaterThan(0);
  });

  test("config: duplicate ARNs are refused", () => {
    expect(problems(withAuth({ iam_principals: [ROLE, ROLE] }))).toEqual([
      "authorization.iam_principals: expected distinct ARNs",
    ]);
    expect(problems(withAuth({ ingest: "cognito", query: "cognito", cognito_user_pool_arns: [POOL, POOL] }))).toEqual([
      "authorization.cognito_user_pool_arns: expected distinct ARNs",
    ]);
  });

  test.each(["requests", "requests/write x", " requests/write", "requests/write\n", 'a/"b'])(
    "config: a scope %j is refused",
    (scope) => {
      expect(problems(withAuth({ cognito_scopes: { write: scope } }))).toEqual([
        "authorization.cognito_scopes.write: expected a scope such as requests/write",
      ]);
    },
  );

  test("config: a mode missing its user pool names every API that needs one", () => {
    expect(problems(withAuth({ ingest: "cognito", query: "cognito" }))).toEqual([
      'authorization.cognito_user_pool_arns: expected at least one user pool ARN, for authorization.ingest and authorization.query ("cognito")',
    ]);
  });
});

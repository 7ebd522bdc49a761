import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, test } from "vitest";
import { LocalCognito } from "../../../local/gateway/access/cognito.js";
import { localPrincipals, type LocalPrincipal } from "../../../local/gateway/access/iam-principals.js";
import { checkResourcePolicy, evaluateResourcePolicy } from "../../../local/gateway/access/resource-policy.js";
import { verifySigV4, type ReceivedRequest } from "../../../local/gateway/access/sigv4.js";
import { UsageMeter } from "../../../local/gateway/access/throttle.js";
import type { ApiKeyModel } from "../../../local/gateway/model.js";
import { statements } from "../../../tfjson/index.js";
import { Sha256 } from "../../../kit/sigv4-client.js";

/**
 * The access pieces of the local gateway on their own: SigV4 verification against the SDK's signer, the resource
 * policy in the shape the stack writes, the usage meter's token buckets and quotas, and the local Cognito's tokens.
 */
const ACCOUNT = "000000000000";
const REGION = "eu-west-1";
const EXECUTION_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT}:ingest-api`;
const CLIENT_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-client`;

/** The contract's policy: Allow every principal, explicit Deny for principals not named. */
const policy = (condition: Record<string, unknown>) =>
  statements(
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
        {
          Effect: "Deny",
          Principal: "*",
          Action: "execute-api:Invoke",
          Resource: "execute-api:/*",
          Condition: condition,
        },
      ],
    }),
  );
const namedPolicy = policy({ ArnNotLike: { "aws:PrincipalArn": [CLIENT_ROLE] } });
const accountPolicy = policy({ StringNotEquals: { "aws:PrincipalAccount": ACCOUNT } });

/** Signs as the AWS SDK does (the same signer the SDK's clients use). */
async function signed(principal: LocalPrincipal, body: string, date = new Date()): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
    region: REGION,
    service: "execute-api",
    sha256: Sha256,
  });
  const request = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 4010,
      path: "/v1/requests",
      query: {},
      headers: { host: "127.0.0.1:4010", "content-type": "application/json" },
      body,
    },
    { signingDate: date },
  );
  return {
    method: "POST",
    path: "/v1/requests",
    query: new URLSearchParams(),
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body,
  };
}

describe("local gateway access: SigV4", () => {
  const principals = localPrincipals(namedPolicy, ACCOUNT);
  const [client] = principals;
  const find = (id: string) => principals.find((p) => p.accessKeyId === id);
  const now = Date.now();

  test("a request signed by the SDK's signer with a local principal's key passes and names the principal", async () => {
    const result = await verifySigV4(await signed(client!, '{"a":1}'), find, REGION, now);
    expect(result).toEqual({ principal: client });
    expect(client).toMatchObject({ arn: CLIENT_ROLE, userId: expect.stringMatching(/^AROA[0-9A-F]{17}:local$/) });
  });

  test("a tampered body, a wrong secret or a request without a signature is refused as AWS refuses it", async () => {
    const tampered = { ...(await signed(client!, '{"a":1}')), body: '{"a":2}' };
    expect(await verifySigV4(tampered, find, REGION, now)).toEqual({ error: { type: "INVALID_SIGNATURE" } });
    const wrongSecret = await signed({ ...client!, secretAccessKey: "not-the-secret" }, "{}");
    expect(await verifySigV4(wrongSecret, find, REGION, now)).toMatchObject({ error: { type: "INVALID_SIGNATURE" } });
    const unsigned = { ...(await signed(client!, "{}")), headers: { host: "127.0.0.1:4010" } };
    expect(await verifySigV4(unsigned, find, REGION, now)).toEqual({
      error: { type: "MISSING_AUTHENTICATION_TOKEN" },
    });
  });

  test("a signature older than 5 minutes is refused with AWS's 'Signature expired' text", async () => {
    const old = await signed(client!, "{}", new Date(now - 6 * 60_000));
    const result = await verifySigV4(old, find, REGION, now);
    expect(result).toMatchObject({
      error: {
        type: "INVALID_SIGNATURE",
        message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/),
      },
    });
  });

  test("a signature for another region is refused", async () => {
    expect(await verifySigV4(await signed(client!, "{}"), find, "us-east-1", now)).toMatchObject({
      error: { type: "INVALID_SIGNATURE", message: "Credential should be scoped to a valid region." },
    });
  });
});

describe("local gateway access: resource policy", () => {
  const arn = `${EXECUTION_ARN}/v1/POST/requests`;

  test("principals: one per named ARN plus one of the account that is not named; one user when none is named", () => {
    expect(localPrincipals(namedPolicy, ACCOUNT).map((p) => [p.arn, p.named])).toEqual([
      [CLIENT_ROLE, true],
      [`arn:aws:iam::${ACCOUNT}:user/local-not-named`, false],
    ]);
    expect(localPrincipals(accountPolicy, ACCOUNT).map((p) => p.arn)).toEqual([
      `arn:aws:iam::${ACCOUNT}:user/local-client`,
      `arn:aws:iam::${ACCOUNT}:user/local-not-named`,
    ]);
  });

  test("ArnNotLike aws:PrincipalArn: the named role is allowed, another principal of the account explicitly denied", () => {
    expect(
      evaluateResourcePolicy(namedPolicy, { principalArn: CLIENT_ROLE, accountId: ACCOUNT }, arn, EXECUTION_ARN),
    ).toBe("allow");
    const other = { principalArn: `arn:aws:iam::${ACCOUNT}:user/local-not-named`, accountId: ACCOUNT };
    expect(evaluateResourcePolicy(namedPolicy, other, arn, EXECUTION_ARN)).toBe("explicit-deny");
    // An anonymous caller has no aws:PrincipalArn, and a negated operator holds on a missing key.
    expect(evaluateResourcePolicy(namedPolicy, {}, arn, EXECUTION_ARN)).toBe("explicit-deny");
  });

  test("StringNotEquals aws:PrincipalAccount: the account's principals are allowed, another account's denied", () => {
    const ours = { principalArn: `arn:aws:iam::${ACCOUNT}:user/u`, accountId: ACCOUNT };
    const theirs = { principalArn: "arn:aws:iam::111122223333:user/u", accountId: "111122223333" };
    expect(evaluateResourcePolicy(accountPolicy, ours, arn, EXECUTION_ARN)).toBe("allow");
    expect(evaluateResourcePolicy(accountPolicy, theirs, arn, EXECUTION_ARN)).toBe("explicit-deny");
    expect(
      evaluateResourcePolicy(accountPolicy, ours, "arn:aws:execute-api:eu-west-1:0:other/v1/GET/x", EXECUTION_ARN),
    ).toBe("no-allow");
  });

  test("a policy element the local evaluation would ignore fails at start, naming it", () => {
    const ip = policy({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } });
    expect(() => checkResourcePolicy(ip, "aws_api_gateway_rest_api_policy.p")).toThrow(
      /aws_api_gateway_rest_api_policy\.p, statement 1 uses condition IpAddress/,
    );
  });
});

describe("local gateway access: usage plans and stage throttle", () => {
  const key = (resource: string, quota?: number): ApiKeyModel => ({
    resource,
    name: resource,
    value: resource,
    plan: {
      resource: `plan-${resource}`,
      throttle: { rate: 1, burst: 2 },
      quota: quota === undefined ? undefined : { limit: quota, period: "DAY" },
    },
  });

  test("a client over its burst gets THROTTLED while another client is unaffected; tokens refill at the rate", () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const meter = new UsageMeter(() => now);
    const [a, b] = [key("a"), key("b")];
    expect([1, 2, 3].map(() => meter.admit("m", undefined, a)?.type)).toEqual([undefined, undefined, "THROTTLED"]);
    expect(meter.admit("m", undefined, b)).toBeUndefined();
    now += 1000;
    expect(meter.admit("m", undefined, a)).toBeUndefined();
  });

  test("the daily quota answers QUOTA_EXCEEDED until the next UTC day", () => {
    let now = Date.UTC(2026, 0, 1, 23, 59, 0);
    const meter = new UsageMeter(() => now);
    const limited = key("q", 1);
    expect(meter.admit("m", undefined, limited)).toBeUndefined();
    now += 2000;
    expect(meter.admit("m", undefined, limited)?.type).toBe("QUOTA_EXCEEDED");
    now += 60_000;
    expect(meter.admit("m", undefined, limited)).toBeUndefined();
  });

  test("the stage's method throttle applies to every caller of the method together", () => {
    const meter = new UsageMeter(() => 0);
    const stage = { rate: 1, burst: 1 };
    expect(meter.admit("m", stage, key("a"))).toBeUndefined();
    expect(meter.admit("m", stage, key("b"))?.type).toBe("THROTTLED");
    expect(meter.admit("other", stage, key("b"))).toBeUndefined();
  });
});

describe("local gateway access: Cognito", () => {
  const issuer = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_abc`;
  const scopes = ["requests/write", "requests/read"];

  test("a client-credentials access token passes the authorizer's checks and exposes its claims", async () => {
    const cognito = await LocalCognito.create([{ issuer, scopes }], ["web"]);
    const [client] = cognito.clients;
    const token = await cognito.issue(client!.clientId, client!.clientSecret, ["requests/write"]);
    if ("error" in token) throw new Error(token.error);
    const result = await cognito.verify(token.accessToken, [issuer], ["requests/write"]);
    expect(result).toMatchObject({
      claims: {
        sub: client!.clientId,
        client_id: client!.clientId,
        token_use: "access",
        scope: "requests/write",
        iss: issuer,
      },
    });
  });

  test("an expired token, a token without the method's scope, another pool's token and no token get 401", async () => {
    const cognito = await LocalCognito.create([{ issuer, scopes }], ["web"]);
    const [client] = cognito.clients;
    const issue = async (scope: string[], at?: number) => {
      const token = await cognito.issue(client!.clientId, client!.clientSecret, scope, at);
      if ("error" in token) throw new Error(token.error);
      return token.accessToken;
    };
    const expired = await issue(["requests/write"], Math.floor(Date.now() / 1000) - 7200);
    const reason = async (token: string | undefined, issuers = [issuer]) => {
      const result = await cognito.verify(token, issuers, ["requests/write"]);
      return "error" in result ? `${result.error.type} ${result.error.message}` : "passed";
    };
    expect(await reason(expired)).toBe("UNAUTHORIZED Unauthorized (the token has expired)");
    expect(await reason(await issue(["requests/read"]))).toMatch(
      /^UNAUTHORIZED Unauthorized \(the token has none of the scopes/,
    );
    expect(
      await reason(await issue(["requests/write"]), ["https://cognito-idp.eu-west-1.amazonaws.com/other"]),
    ).toMatch(/^UNAUTHORIZED/);
    expect(await reason(undefined)).toMatch(/^UNAUTHORIZED Unauthorized \(no Authorization header/);
    expect(await cognito.issue(client!.clientId, "wrong", undefined)).toEqual({ error: "invalid_client" });
    expect(await cognito.issue(client!.clientId, client!.clientSecret, ["admin"])).toEqual({ error: "invalid_scope" });
  });
});

describe("local gateway access: edge cases", () => {
  const arn = `${EXECUTION_ARN}/v1/POST/requests`;
  const allow = (principal: unknown, extra: Record<string, unknown> = {}) =>
    statements(
      JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: principal,
            Action: "execute-api:*",
            Resource: `${EXECUTION_ARN}/v1/*`,
            ...extra,
          },
        ],
      }),
    );
  const user = { principalArn: `arn:aws:iam::${ACCOUNT}:user/u`, accountId: ACCOUNT };

  test("Principal: an account id or its root names every principal of it; an ARN names only itself", () => {
    expect(evaluateResourcePolicy(allow({ AWS: ACCOUNT }), user, arn, EXECUTION_ARN)).toBe("allow");
    expect(evaluateResourcePolicy(allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), user, arn, EXECUTION_ARN)).toBe(
      "allow",
    );
    expect(evaluateResourcePolicy(allow({ AWS: [CLIENT_ROLE] }), user, arn, EXECUTION_ARN)).toBe("no-allow");
    expect(evaluateResourcePolicy(allow({ AWS: "111122223333" }), user, arn, EXECUTION_ARN)).toBe("no-allow");
    expect(evaluateResourcePolicy(allow({ AWS: "*" }), {}, arn, EXECUTION_ARN)).toBe("allow");
    expect(evaluateResourcePolicy(allow({ AWS: ACCOUNT }), {}, arn, EXECUTION_ARN)).toBe("no-allow");
  });

  test("Action and Resource wildcards match as IAM's do; another stage or action does not", () => {
    expect(evaluateResourcePolicy(allow("*"), user, `${EXECUTION_ARN}/v2/POST/requests`, EXECUTION_ARN)).toBe(
      "no-allow",
    );
    expect(
      evaluateResourcePolicy(allow("*", { Action: "execute-api:ManageConnections" }), user, arn, EXECUTION_ARN),
    ).toBe("no-allow");
    expect(evaluateResourcePolicy(allow("*", { Action: "EXECUTE-API:invoke" }), user, arn, EXECUTION_ARN)).toBe(
      "allow",
    );
    const like = allow("*", { Condition: { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/?` } } });
    expect(evaluateResourcePolicy(like, user, arn, EXECUTION_ARN)).toBe("allow");
    const equals = allow("*", { Condition: { StringEquals: { "aws:PrincipalAccount": "111122223333" } } });
    expect(evaluateResourcePolicy(equals, user, arn, EXECUTION_ARN)).toBe("no-allow");
  });

  test("elements the local evaluation would ignore fail at start", () => {
    const check =
      (extra: Record<string, unknown>, principal: unknown = "*") =>
      () =>
        checkResourcePolicy(allow(principal, extra), "p");
    expect(check({ NotPrincipal: { AWS: ACCOUNT } })).toThrow(/uses NotPrincipal/);
    expect(check({}, { Service: "lambda.amazonaws.com" })).toThrow(/only "\*" and \{"AWS": \.\.\.\} are emulated/);
    expect(check({ Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } })).toThrow(/tests aws:SourceVpce/);
    expect(check({})).not.toThrow();
  });

  test("principals: users, roots, account ids and patterns get ids of their kind; other ARNs fail at start", () => {
    const of = (arn: string) =>
      localPrincipals(
        statements(
          JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: arn }, Action: "*", Resource: "*" }] }),
        ),
        ACCOUNT,
      )[0]!;
    expect(of(`arn:aws:iam::${ACCOUNT}:user/team/alice`)).toMatchObject({
      userId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/),
      userArn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
    });
    expect(of("111122223333")).toMatchObject({
      arn: "arn:aws:iam::111122223333:root",
      userId: "111122223333",
      accountId: "111122223333",
    });
    expect(of(`arn:aws:iam::${ACCOUNT}:role/client-*`)).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:role/client-local`,
      userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/client-local/local`,
    });
    expect(() => of(`arn:aws:sts::${ACCOUNT}:assumed-role/r/s`)).toThrow(
      /only IAM user, role and root ARNs can sign locally/,
    );
  });

  test("SigV4: a date in the future, no date, a malformed header, another service or a changed payload hash fail", async () => {
    const principals = localPrincipals(namedPolicy, ACCOUNT);
    const find = (id: string) => principals.find((p) => p.accessKeyId === id);
    const now = Date.now();
    const message = async (request: ReceivedRequest) => {
      const result = await verifySigV4(request, find, REGION, now);
      return "error" in result ? `${result.error.type}: ${result.error.message ?? ""}` : "passed";
    };
    const good = await signed(principals[0]!, "{}");
    expect(await message(await signed(principals[0]!, "{}", new Date(now + 6 * 60_000)))).toMatch(
      /^INVALID_SIGNATURE: Signature not yet current: \d{8}T\d{6}Z is still later than/,
    );
    const { ["x-amz-date"]: _date, ...undated } = good.headers;
    expect(await message({ ...good, headers: undated })).toMatch(/^INVALID_SIGNATURE: Missing or malformed X-Amz-Date/);
    expect(await message({ ...good, headers: { ...good.headers, authorization: "Bearer abc" } })).toMatch(
      /requires 'Credential', 'SignedHeaders' and 'Signature'/,
    );
    const otherService = good.headers.authorization!.replace("/execute-api/", "/s3/");
    expect(await message({ ...good, headers: { ...good.headers, authorization: otherService } })).toBe(
      "INVALID_SIGNATURE: Credential should be scoped to correct service: 'execute-api'.",
    );
    const unknownKey = good.headers.authorization!.replace(principals[0]!.accessKeyId, "AKIAUNKNOWN");
    expect(await message({ ...good, headers: { ...good.headers, authorization: unknownKey } })).toBe(
      "INVALID_SIGNATURE: The security token included in the request is invalid.",
    );
    const hashed = { ...good.headers, "x-amz-content-sha256": "0".repeat(64) };
    expect(await message({ ...good, headers: hashed })).toBe("INVALID_SIGNATURE: ");
    expect(await message(good)).toBe("passed");
  });
});

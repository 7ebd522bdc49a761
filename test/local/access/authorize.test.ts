import { beforeAll, describe, expect, test } from "vitest";
import { authorize, invokeArn, type AccessControl } from "../../../local/gateway/access/access.js";
import { LocalCognito } from "../../../local/gateway/access/cognito.js";
import { localPrincipals } from "../../../local/gateway/access/iam-principals.js";
import type { ReceivedRequest } from "../../../local/gateway/access/sigv4.js";
import { UsageMeter } from "../../../local/gateway/access/throttle.js";
import type { MethodAuthorization, MethodModel, RestApiModel } from "../../../local/gateway/model.js";
import type { PolicyStatement } from "../../../tfjson/index.js";
import { ACCOUNT, CLIENT_ROLE, EXECUTION_ARN, INVOKE_ARN, namedPolicy, policyOf, REGION, signed } from "./support.js";

/**
 * The whole access decision of one request, in API Gateway's order (the method's authorization, then the resource
 * policy): what reaches the backend as `$context.identity` / `$context.authorizer`, and what is refused with which
 * gateway response and IAM text.
 */
const NOW = Date.UTC(2026, 4, 21, 12);
const issuer = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_abc`;
const api = (resourcePolicy?: readonly PolicyStatement[]) =>
  ({ executionArn: EXECUTION_ARN, stageName: "v1", resourcePolicy }) as RestApiModel;
const method = (authorization: MethodAuthorization) =>
  ({ httpMethod: "POST", authorization, where: "aws_api_gateway_method.post" }) as MethodModel;
const NONE = method({ type: "NONE" });
const IAM = method({ type: "AWS_IAM" });
const COGNITO = method({ type: "COGNITO_USER_POOLS", authorizer: "a", issuers: [issuer], scopes: ["requests/write"] });
const anonymous: ReceivedRequest = {
  method: "POST",
  path: "/v1/requests",
  query: new URLSearchParams(),
  headers: { host: "127.0.0.1:4010" },
  body: "{}",
};
const allowAll = policyOf({
  Effect: "Allow",
  Principal: "*",
  Action: "execute-api:Invoke",
  Resource: "execute-api:/*",
});
const denied = (who: string, suffix = "") => ({
  error: {
    type: "ACCESS_DENIED",
    message: `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${INVOKE_ARN}${suffix}`,
  },
});

let cognito: LocalCognito;
const principals = localPrincipals(
  policyOf({
    Effect: "Allow",
    Principal: { AWS: [CLIENT_ROLE, "arn:aws:iam::111122223333:user/partner"] },
    Action: "*",
    Resource: "*",
  }),
  ACCOUNT,
);
const [client, partner, notNamed] = principals as [
  (typeof principals)[0],
  (typeof principals)[0],
  (typeof principals)[0],
];
let access: AccessControl;
beforeAll(async () => {
  // A hook that throws would skip the tests instead of failing them (see cognito.test.ts).
  const created = await LocalCognito.create([{ issuer, scopes: ["requests/write"] }], ["web"]).catch(() => undefined);
  cognito = created!;
  access = { principals, cognito, meter: new UsageMeter(), clock: () => NOW };
});
const at = { date: new Date(NOW) };

describe("local gateway access: NONE methods", () => {
  test("without a resource policy anyone passes, with no identity", async () => {
    expect(await authorize(api(), NONE, anonymous, access)).toEqual({ identity: {} });
  });

  test("with a policy, an anonymous caller needs its Allow and is refused by its explicit Deny", async () => {
    expect(await authorize(api(allowAll), NONE, anonymous, access)).toEqual({ identity: {} });
    const otherStage = policyOf({ Effect: "Allow", Principal: "*", Action: "*", Resource: "execute-api:/v2/*" });
    expect(await authorize(api(otherStage), NONE, anonymous, access)).toEqual(denied("anonymous"));
    expect(await authorize(api(namedPolicy), NONE, anonymous, access)).toEqual(
      denied("anonymous", " with an explicit deny"),
    );
  });
});

describe("local gateway access: AWS_IAM methods", () => {
  test("a principal of the API's account passes without an Allow, its identity in $context", async () => {
    expect(await authorize(api(), IAM, await signed(client, "{}", at), access)).toEqual({
      identity: {
        user: client.userId,
        caller: client.userId,
        userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/orders-client/local`,
        accountId: ACCOUNT,
      },
    });
  });

  test("a principal of another account needs the policy's Allow", async () => {
    const request = await signed(partner, "{}", at);
    expect(await authorize(api(), IAM, request, access)).toEqual(denied("arn:aws:iam::111122223333:user/partner"));
    expect(await authorize(api(allowAll), IAM, request, access)).toMatchObject({
      identity: { accountId: "111122223333" },
    });
  });

  test("the explicit Deny refuses a principal the policy does not name, naming it", async () => {
    const request = await signed(notNamed, "{}", at);
    expect(notNamed.named).toBe(false);
    expect(await authorize(api(namedPolicy), IAM, request, access)).toEqual(
      denied(notNamed.userArn, " with an explicit deny"),
    );
    expect(await authorize(api(namedPolicy), IAM, await signed(client, "{}", at), access)).toMatchObject({
      identity: { user: client.userId },
    });
  });

  test("the signature is checked in the API's region, on the access's clock", async () => {
    const request = await signed(client, "{}", at);
    const usEast = { ...api(), executionArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:ingest-api` } as RestApiModel;
    expect(await authorize(usEast, IAM, request, access)).toEqual({
      error: { type: "INVALID_SIGNATURE", message: "Credential should be scoped to a valid region." },
    });
    const later = { ...access, clock: () => NOW + 10 * 60_000 };
    expect(await authorize(api(), IAM, request, later)).toMatchObject({
      error: { type: "INVALID_SIGNATURE", message: expect.stringMatching(/^Signature expired/) },
    });
    const realClock = { ...access, clock: undefined };
    expect(await authorize(api(), IAM, await signed(client, "{}"), realClock)).toMatchObject({ identity: {} });
  });

  test("an unsigned request: MISSING_AUTHENTICATION_TOKEN", async () => {
    expect(await authorize(api(), IAM, anonymous, access)).toEqual({ error: { type: "MISSING_AUTHENTICATION_TOKEN" } });
  });
});

describe("local gateway access: COGNITO_USER_POOLS methods", () => {
  const bearer = async (issuedAt = NOW / 1000) => {
    const web = cognito.clients[0]!;
    const issued = await cognito.issue(web.clientId, web.clientSecret, undefined, issuedAt);
    return { ...anonymous, headers: { authorization: (issued as { accessToken: string }).accessToken } };
  };

  test("a valid token passes with its claims in $context.authorizer and no identity", async () => {
    expect(await authorize(api(), COGNITO, await bearer(), access)).toEqual({
      identity: {},
      authorizer: { claims: expect.objectContaining({ token_use: "access", scope: "requests/write" }) },
    });
  });

  test("a token expired by the access's clock is refused 401; the policy still applies after the token", async () => {
    expect(await authorize(api(), COGNITO, await bearer(NOW / 1000 - 7200), access)).toEqual({
      error: { type: "UNAUTHORIZED", message: "Unauthorized (the token has expired)" },
    });
    expect(await authorize(api(namedPolicy), COGNITO, await bearer(), access)).toEqual(
      denied("anonymous", " with an explicit deny"),
    );
  });

  test("without the local Cognito the method cannot be served, and says which method", async () => {
    await expect(authorize(api(), COGNITO, await bearer(), { ...access, cognito: undefined })).rejects.toThrow(
      "local: aws_api_gateway_method.post needs the local Cognito, which was not started",
    );
  });
});

describe("local gateway access: the resource ARN a policy matches", () => {
  test("the stage, the method and the path after the stage", () => {
    expect(invokeArn(api(), IAM, "/v1/requests/abc")).toBe(`${EXECUTION_ARN}/v1/POST/requests/abc`);
    expect(invokeArn(api(), NONE, "/v1")).toBe(`${EXECUTION_ARN}/v1/POST/`);
    expect(invokeArn({ ...api(), stageName: "prod" }, IAM, "/prod/x")).toBe(`${EXECUTION_ARN}/prod/POST/x`);
  });
});

import { describe, expect, test } from "vitest";
import {
  checkResourcePolicy,
  evaluateResourcePolicy,
  type PolicyCaller,
} from "../../../local/gateway/access/resource-policy.js";
import type { PolicyStatement } from "../../../tfjson/index.js";
import {
  ACCOUNT,
  accountPolicy,
  CLIENT_ROLE,
  contractPolicy,
  EXECUTION_ARN,
  INVOKE_ARN,
  namedPolicy,
  policyOf,
} from "./support.js";

/**
 * The resource policy as the local gateway evaluates it for `execute-api:Invoke`: explicit Deny, Allow or no Allow,
 * for signed and anonymous callers; and the policies it refuses to start with, since it would evaluate them partly.
 */
const user = { principalArn: `arn:aws:iam::${ACCOUNT}:user/u`, accountId: ACCOUNT };
const otherAccount = { principalArn: "arn:aws:iam::111122223333:user/u", accountId: "111122223333" };
const decide = (policy: readonly PolicyStatement[], caller: PolicyCaller, arn = INVOKE_ARN) =>
  evaluateResourcePolicy(policy, caller, arn, EXECUTION_ARN);
/** One Allow statement for stage v1, with `extra` replacing or adding elements. */
const allow = (principal: unknown, extra: Record<string, unknown> = {}) =>
  policyOf({
    Effect: "Allow",
    Principal: principal,
    Action: "execute-api:*",
    Resource: `${EXECUTION_ARN}/v1/*`,
    ...extra,
  });
/** An Allow for every principal whose aws:PrincipalArn or aws:PrincipalAccount meets `condition`. */
const allowIf = (condition: Record<string, unknown>) => allow("*", { Condition: condition });

describe("local gateway access: the contract's resource policies", () => {
  test("ArnNotLike aws:PrincipalArn: the named role is allowed, any other principal explicitly denied", () => {
    expect(decide(namedPolicy, { principalArn: CLIENT_ROLE, accountId: ACCOUNT })).toBe("allow");
    expect(decide(namedPolicy, user)).toBe("explicit-deny");
    // An anonymous caller has no aws:PrincipalArn, and a negated operator holds on a missing key.
    expect(decide(namedPolicy, {})).toBe("explicit-deny");
  });

  test("StringNotEquals aws:PrincipalAccount: the account's principals are allowed, another account's denied", () => {
    expect(decide(accountPolicy, user)).toBe("allow");
    expect(decide(accountPolicy, otherAccount)).toBe("explicit-deny");
    expect(decide(accountPolicy, user, "arn:aws:execute-api:eu-west-1:0:other/v1/GET/x")).toBe("no-allow");
  });

  test("a Deny whose condition does not hold leaves the Allow", () => {
    const denyOthers = contractPolicy({ StringNotLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/*` } });
    expect(decide(denyOthers, user)).toBe("allow");
    expect(decide(denyOthers, { principalArn: CLIENT_ROLE, accountId: ACCOUNT })).toBe("explicit-deny");
  });
});

describe("local gateway access: Principal, Action and Resource", () => {
  test("an account id or its root ARN names every principal of the account; an ARN names only itself", () => {
    expect(decide(allow({ AWS: ACCOUNT }), user)).toBe("allow");
    expect(decide(allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), user)).toBe("allow");
    expect(decide(allow({ AWS: `arn:aws-cn:iam::${ACCOUNT}:root` }), user)).toBe("allow");
    expect(decide(allow({ AWS: [CLIENT_ROLE] }), user)).toBe("no-allow");
    expect(
      decide(allow({ AWS: ["111122223333", CLIENT_ROLE] }), { principalArn: CLIENT_ROLE, accountId: ACCOUNT }),
    ).toBe("allow");
    expect(decide(allow({ AWS: "111122223333" }), user)).toBe("no-allow");
    expect(decide(allow({ AWS: "arn:aws:iam::111122223333:root" }), user)).toBe("no-allow");
  });

  test("a root ARN or account id is not read out of a longer ARN that contains one", () => {
    const inside = { principalArn: `arn:aws:iam::${ACCOUNT}:root/x`, accountId: "111122223333" };
    expect(decide(allow({ AWS: inside.principalArn }), inside)).toBe("allow");
    expect(decide(allow({ AWS: `x${ACCOUNT}` }), user)).toBe("no-allow");
    expect(decide(allow({ AWS: `${ACCOUNT}1` }), user)).toBe("no-allow");
    expect(decide(allow({ AWS: `xarn:aws:iam::${ACCOUNT}:root` }), user)).toBe("no-allow");
    expect(decide(allow({ AWS: `arn:aws:iam::${ACCOUNT}:rootx` }), user)).toBe("no-allow");
  });

  test("an anonymous caller matches Principal * and {AWS: *} only", () => {
    expect(decide(allow("*"), {})).toBe("allow");
    expect(decide(allow({ AWS: "*" }), {})).toBe("allow");
    expect(decide(allow({ AWS: ACCOUNT }), {})).toBe("no-allow");
    expect(decide(allow({ AWS: "*" }), user)).toBe("allow");
    expect(decide(allow({}), {})).toBe("no-allow");
  });

  test("Action matches execute-api:Invoke with IAM's wildcards, in any case; other actions do not", () => {
    expect(decide(allow("*", { Action: "EXECUTE-API:invoke" }), user)).toBe("allow");
    expect(decide(allow("*", { Action: ["s3:GetObject", "execute-api:Inv?ke"] }), user)).toBe("allow");
    expect(decide(allow("*", { Action: "execute-api:ManageConnections" }), user)).toBe("no-allow");
    expect(decide(allow("*", { Action: "execute-api:Invoke2" }), user)).toBe("no-allow");
  });

  test("Resource matches the method's ARN, case-sensitively, in full or in the execute-api:/ shorthand", () => {
    expect(decide(allow("*"), user, `${EXECUTION_ARN}/v2/POST/requests`)).toBe("no-allow");
    expect(decide(allow("*", { Resource: `${EXECUTION_ARN}/V1/*` }), user)).toBe("no-allow");
    expect(decide(allow("*", { Resource: "execute-api:/v1/POST/requests" }), user)).toBe("allow");
    expect(decide(allow("*", { Resource: "execute-api:/v1/GET/*" }), user)).toBe("no-allow");
    expect(decide(allow("*", { Resource: ["execute-api:/v2/*", `${EXECUTION_ARN}/v1/POST/requests`] }), user)).toBe(
      "allow",
    );
    // A dot in a pattern is a dot, not any character.
    expect(decide(allow("*", { Resource: `${EXECUTION_ARN}/v1/POST/a.c` }), user, `${EXECUTION_ARN}/v1/POST/abc`)).toBe(
      "no-allow",
    );
    expect(decide(allow("*", { Resource: `${EXECUTION_ARN}/v1/POST/a.c` }), user, `${EXECUTION_ARN}/v1/POST/a.c`)).toBe(
      "allow",
    );
  });

  test("an explicit Deny wins over an Allow; Deny alone is no Allow; no statement is no Allow", () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" };
    const grant = { ...deny, Effect: "Allow" };
    expect(decide(policyOf(grant, deny), user)).toBe("explicit-deny");
    expect(decide(policyOf(deny, grant), user)).toBe("explicit-deny");
    expect(decide(policyOf({ ...deny, Resource: "execute-api:/v2/*" }, grant), user)).toBe("allow");
    expect(decide([], user)).toBe("no-allow");
    // IAM's Effect is case-sensitive: anything but Allow grants nothing.
    expect(decide(policyOf({ ...grant, Effect: "allow" }), user)).toBe("no-allow");
  });
});

describe("local gateway access: conditions", () => {
  test("StringEquals compares exactly (no wildcards); StringLike expands them", () => {
    expect(decide(allowIf({ StringEquals: { "aws:PrincipalArn": user.principalArn } }), user)).toBe("allow");
    expect(decide(allowIf({ StringEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/*` } }), user)).toBe(
      "no-allow",
    );
    expect(decide(allowIf({ StringLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/*` } }), user)).toBe(
      "allow",
    );
    expect(decide(allowIf({ StringEquals: { "aws:PrincipalAccount": "111122223333" } }), user)).toBe("no-allow");
    expect(decide(allowIf({ StringEquals: { "aws:PrincipalAccount": ["1", ACCOUNT] } }), user)).toBe("allow");
  });

  test("the Arn operators take wildcards, case-sensitively; ? is one character", () => {
    expect(decide(allowIf({ ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/*` } }), user)).toBe(
      "allow",
    );
    expect(decide(allowIf({ ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/?` } }), user)).toBe("allow");
    expect(decide(allowIf({ ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/??` } }), user)).toBe(
      "no-allow",
    );
    expect(decide(allowIf({ ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:User/*` } }), user)).toBe(
      "no-allow",
    );
    expect(decide(allowIf({ ArnNotEquals: { "aws:PrincipalArn": CLIENT_ROLE } }), user)).toBe("allow");
    expect(decide(allowIf({ ArnNotEquals: { "aws:PrincipalArn": user.principalArn } }), user)).toBe("no-allow");
  });

  test("condition keys are case-insensitive, and every key of every operator must hold", () => {
    expect(decide(allowIf({ StringEquals: { "AWS:PRINCIPALARN": user.principalArn } }), user)).toBe("allow");
    expect(decide(allowIf({ StringEquals: { "aws:principalaccount": ACCOUNT } }), user)).toBe("allow");
    const both = (account: string) =>
      allowIf({
        StringEquals: { "aws:PrincipalAccount": account },
        ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/*" },
      });
    expect(decide(both(ACCOUNT), user)).toBe("allow");
    expect(decide(both("111122223333"), user)).toBe("no-allow");
    expect(decide(both(ACCOUNT), { principalArn: CLIENT_ROLE, accountId: ACCOUNT })).toBe("no-allow");
    const sameOperator = allowIf({
      StringEquals: { "aws:PrincipalAccount": ACCOUNT, "aws:PrincipalArn": CLIENT_ROLE },
    });
    expect(decide(sameOperator, user)).toBe("no-allow");
    expect(decide(sameOperator, { principalArn: CLIENT_ROLE, accountId: ACCOUNT })).toBe("allow");
  });

  test("on an anonymous caller a condition holds only when negated", () => {
    expect(decide(allowIf({ StringEquals: { "aws:PrincipalAccount": ACCOUNT } }), {})).toBe("no-allow");
    expect(decide(allowIf({ StringNotEquals: { "aws:PrincipalAccount": ACCOUNT } }), {})).toBe("allow");
    expect(decide(allowIf({ ArnLike: { "aws:PrincipalArn": "*" } }), {})).toBe("no-allow");
  });
});

describe("local gateway access: policies the local gateway refuses to start with", () => {
  const check = (policy: readonly PolicyStatement[]) => () =>
    checkResourcePolicy(policy, "aws_api_gateway_rest_api_policy.p");
  const where = "local: aws_api_gateway_rest_api_policy.p, statement";

  test("NotPrincipal, NotAction and NotResource, naming the statement by Sid or index", () => {
    for (const element of ["NotPrincipal", "NotAction", "NotResource"]) {
      expect(check(allow("*", { [element]: "*" }))).toThrow(`${where} 0 uses ${element}, which is not emulated`);
      expect(check(allow("*", { [element]: "*", Sid: "Mine" }))).toThrow(
        `${where} Mine uses ${element}, which is not emulated`,
      );
    }
  });

  test("a Principal other than * and {AWS: ...}", () => {
    const principal = (value: unknown, text: string) =>
      expect(check(allow(value))).toThrow(`${where} 0 has Principal ${text}; only "*" and {"AWS": ...} are emulated`);
    principal({ Service: "lambda.amazonaws.com" }, '{"Service":"lambda.amazonaws.com"}');
    principal({ AWS: ACCOUNT, Federated: "x" }, `{"AWS":"${ACCOUNT}","Federated":"x"}`);
    principal(["*"], '["*"]');
    principal([], "[]");
    principal(null, "null");
    principal("", '""');
    expect(check(policyOf({ Effect: "Allow", Action: "*", Resource: "*" }))).toThrow(
      `${where} 0 has Principal undefined; only "*" and {"AWS": ...} are emulated`,
    );
    principal("arn:aws:iam::000000000000:root", '"arn:aws:iam::000000000000:root"');
    expect(check(allow({ AWS: [ACCOUNT] }))).not.toThrow();
    expect(check(allow("*"))).not.toThrow();
  });

  test("a condition operator or key it does not evaluate", () => {
    expect(check(allowIf({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } }))).toThrow(
      `${where} 0 uses condition IpAddress, which is not emulated`,
    );
    expect(check(allowIf({ StringEquals: { "aws:SourceVpce": "vpce-1" } }))).toThrow(
      `${where} 0 tests aws:SourceVpce, which is not emulated`,
    );
    expect(check(contractPolicy({ StringNotEquals: { "aws:PrincipalOrgID": "o-1" } }))).toThrow(`${where} 1 tests`);
  });

  test("every operator and key it does evaluate, in any case of the key", () => {
    for (const operator of ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike"])
      expect(
        check(allowIf({ [operator]: { "aws:PrincipalAccount": ACCOUNT, "AWS:PRINCIPALARN": "x" } })),
      ).not.toThrow();
    for (const operator of ["ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"])
      expect(check(allowIf({ [operator]: { "aws:principalarn": CLIENT_ROLE } }))).not.toThrow();
  });
});

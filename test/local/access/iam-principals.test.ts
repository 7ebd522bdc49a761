import { describe, expect, test } from "vitest";
import { localPrincipals, namedPrincipals } from "../../../local/gateway/access/iam-principals.js";
import { ACCOUNT, accountPolicy, CLIENT_ROLE, namedPolicy, policyOf } from "./support.js";

/**
 * The IAM principals `npm run local` makes up so SigV4 methods can be called: which ARNs it signs as, with which
 * `$context.identity` values, and the principal no policy names (the one the explicit Deny refuses).
 */
const principalOf = (aws: unknown) =>
  policyOf({ Effect: "Allow", Principal: { AWS: aws }, Action: "*", Resource: "*" });
const arnsOf = (aws: unknown, account = ACCOUNT) => localPrincipals(principalOf(aws), account).map((p) => p.arn);
const first = (arn: string) => localPrincipals(principalOf(arn), ACCOUNT)[0]!;
const NOT_NAMED = `arn:aws:iam::${ACCOUNT}:user/local-not-named`;

describe("local gateway access: the principals the policies name", () => {
  test("one per named ARN plus one of the account that is not named; one user when none is named", () => {
    expect(localPrincipals(namedPolicy, ACCOUNT).map((p) => [p.arn, p.named])).toEqual([
      [CLIENT_ROLE, true],
      [NOT_NAMED, false],
    ]);
    expect(localPrincipals(accountPolicy, ACCOUNT).map((p) => [p.arn, p.named])).toEqual([
      [`arn:aws:iam::${ACCOUNT}:user/local-client`, true],
      [NOT_NAMED, false],
    ]);
  });

  test("named in a Principal (string or list) or in an Arn or String condition on aws:PrincipalArn, once each", () => {
    const named = policyOf(
      { Effect: "Allow", Principal: { AWS: [CLIENT_ROLE, "*"] }, Action: "*", Resource: "*" },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "*",
        Resource: "*",
        Condition: {
          ArnNotLike: { "AWS:PrincipalArn": [CLIENT_ROLE, "arn:aws:iam::111122223333:user/a"] },
          StringNotEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:user/b", "aws:PrincipalAccount": "x" },
          IpAddress: { "aws:PrincipalArn": "arn:aws:iam::111122223333:user/ignored" },
        },
      },
      { Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "*", Resource: "*" },
    );
    expect(namedPrincipals(named)).toEqual([
      CLIENT_ROLE,
      "arn:aws:iam::111122223333:user/a",
      "arn:aws:iam::111122223333:user/b",
      "111122223333",
    ]);
    for (const principal of ["*", {}, undefined])
      expect(namedPrincipals(policyOf({ Effect: "Allow", Principal: principal, Action: "*", Resource: "*" }))).toEqual(
        [],
      );
  });

  test("an account id names its root, and so does a pattern for every principal of an account", () => {
    expect(arnsOf("111122223333")).toEqual(["arn:aws:iam::111122223333:root", NOT_NAMED]);
    expect(arnsOf("arn:aws:iam::111122223333:*")).toEqual(["arn:aws:iam::111122223333:root", NOT_NAMED]);
    expect(arnsOf("arn:aws-cn:iam::111122223333:*")).toEqual(["arn:aws-cn:iam::111122223333:root", NOT_NAMED]);
  });

  test("another pattern gets one principal that matches it; two patterns that give the same one give it once", () => {
    expect(arnsOf([`arn:aws:iam::${ACCOUNT}:role/client-*`, `arn:aws:iam::${ACCOUNT}:role/client-local`])).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/client-local`,
      NOT_NAMED,
    ]);
    expect(arnsOf(`arn:aws:iam::${ACCOUNT}:user/*-?`)).toEqual([`arn:aws:iam::${ACCOUNT}:user/local-x`, NOT_NAMED]);
  });

  test("the unnamed principal comes from another account when the policies name the API's account as a whole", () => {
    expect(arnsOf(ACCOUNT).at(-1)).toBe("arn:aws:iam::111111111111:user/local-not-named");
    expect(arnsOf([ACCOUNT, "111111111111"]).at(-1)).toBe("arn:aws:iam::222222222222:user/local-not-named");
    expect(arnsOf(`arn:aws:iam::${ACCOUNT}:root`).at(-1)).toBe("arn:aws:iam::111111111111:user/local-not-named");
    expect(arnsOf(`arn:aws-us-gov:iam::${ACCOUNT}:root`).at(-1)).toBe("arn:aws:iam::111111111111:user/local-not-named");
    // A principal of the account is not the whole account.
    expect(arnsOf(`arn:aws:iam::${ACCOUNT}:user/root`).at(-1)).toBe(NOT_NAMED);
    expect(arnsOf(`arn:aws:iam::${ACCOUNT}:role/x`).at(-1)).toBe(NOT_NAMED);
  });
});

describe("local gateway access: each principal's identity and keys", () => {
  test("a user: AIDA id, its own ARN as userArn, its account", () => {
    expect(first(`arn:aws:iam::${ACCOUNT}:user/team/alice`)).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
      accountId: ACCOUNT,
      userId: expect.stringMatching(/^AIDA[0-9A-F]{17}$/),
      userArn: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
      named: true,
    });
  });

  test("a role: AROA id with the local session, the assumed-role session's ARN in its partition", () => {
    expect(first("arn:aws-cn:iam::111122223333:role/path/to/worker")).toMatchObject({
      accountId: "111122223333",
      userId: expect.stringMatching(/^AROA[0-9A-F]{17}:local$/),
      userArn: "arn:aws-cn:sts::111122223333:assumed-role/worker/local",
    });
    expect(first(CLIENT_ROLE).userArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/orders-client/local`);
  });

  test("an account's root: the account id as user id, the root ARN as userArn", () => {
    expect(first("111122223333")).toMatchObject({
      arn: "arn:aws:iam::111122223333:root",
      userId: "111122223333",
      userArn: "arn:aws:iam::111122223333:root",
      accountId: "111122223333",
    });
  });

  test("ids are stable per ARN across runs and differ between ARNs; keys are new on every run", () => {
    const [a, b] = [first(CLIENT_ROLE), first(CLIENT_ROLE)];
    expect(a.userId).toBe(b.userId);
    expect(first(`${CLIENT_ROLE}2`).userId).not.toBe(a.userId);
    expect(a.accessKeyId).toMatch(/^AKIA[0-9A-F]{16}$/);
    expect(a.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(b.accessKeyId).not.toBe(a.accessKeyId);
    expect(b.secretAccessKey).not.toBe(a.secretAccessKey);
  });

  test("an id or pattern that is no account, or not a whole one, is not turned into a root", () => {
    const fails = (entry: string, arn: string) =>
      expect(() => first(entry)).toThrow(`local: the resource policy names ${arn}; only IAM user`);
    fails("0000000000001", "0000000000001");
    fails("user123456789012", "user123456789012");
    fails(`arn:aws:iam::${ACCOUNT}:*/x`, `arn:aws:iam::${ACCOUNT}:local/x`);
    fails(`*arn:aws:iam::${ACCOUNT}:*`, `localarn:aws:iam::${ACCOUNT}:local`);
  });

  test("an ARN that cannot sign fails at start, naming it", () => {
    for (const arn of [
      `arn:aws:iam::${ACCOUNT}:root/x`,
      `arn:aws:iam::${ACCOUNT}:user`,
      `arn:aws:iam::${ACCOUNT}:users/x`,
      `xarn:aws:iam::${ACCOUNT}:user/u`,
      `arn:aws:iam::${ACCOUNT}:user/u/`,
    ])
      expect(() => first(arn)).toThrow(
        `local: the resource policy names ${arn}; only IAM user, role and root ARNs can sign locally`,
      );
    for (const arn of [
      `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`,
      `arn:aws:iam::${ACCOUNT}:group/g`,
      "arn:aws:iam::1:user/u",
    ])
      expect(() => first(arn)).toThrow(
        `local: the resource policy names ${arn}; only IAM user, role and root ARNs can sign locally`,
      );
  });
});

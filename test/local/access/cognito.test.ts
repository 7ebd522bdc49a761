import { decodeJwt, decodeProtectedHeader, SignJWT, type CryptoKey } from "jose";
import { beforeAll, describe, expect, test } from "vitest";
import { LocalCognito, TOKEN_SECONDS, type CognitoAppClient } from "../../../local/gateway/access/cognito.js";
import { REGION } from "./support.js";

/**
 * The local Cognito: the app clients and tokens of the client-credentials grant, and a COGNITO_USER_POOLS
 * authorizer's checks (which token passes with which claims, which is refused 401 with which reason).
 */
const issuer = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_abc`;
const otherIssuer = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_other`;
const scopes = ["requests/write", "requests/read", "requests/write"];
const NOW = Date.UTC(2026, 4, 21, 12);
const NOW_S = NOW / 1000;

let cognito: LocalCognito;
let web: CognitoAppClient;
let other: CognitoAppClient;
beforeAll(async () => {
  // A hook that throws skips its file's tests instead of failing them, which mutation testing scores "Survived":
  // a failed create() leaves the fixtures unset, so the tests that use them fail.
  const created = await LocalCognito.create(
    [
      { issuer, scopes },
      { issuer: otherIssuer, scopes: ["x/y"] },
    ],
    ["web", "batch"],
  ).catch(() => undefined);
  if (!created) return;
  cognito = created;
  web = cognito.clients[0]!;
  other = cognito.clients.find((c) => c.issuer === otherIssuer)!;
});

async function token(client: CognitoAppClient, requested?: string[], issuedAt = NOW_S): Promise<string> {
  const issued = await cognito.issue(client.clientId, client.clientSecret, requested, issuedAt);
  if ("error" in issued) throw new Error(issued.error);
  return issued.accessToken;
}
/**
 * A token the pool's own key signs with the given claims: what a real user pool also issues (ID tokens, from a user
 * sign-in) but the local token endpoint does not.
 */
async function poolToken(claims: Record<string, unknown>): Promise<string> {
  const pool = (cognito as unknown as { pools: { issuer: string; kid: string; privateKey: CryptoKey }[] }).pools[0]!;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: pool.kid })
    .setIssuer(pool.issuer)
    .setIssuedAt(NOW_S)
    .setExpirationTime(NOW_S + 3600)
    .sign(pool.privateKey);
}
/** "passed" or the 401's message, for a method of `issuer` with `methodScopes`. */
async function verdict(header: string | undefined, methodScopes = ["requests/write"], issuers = [issuer], now = NOW) {
  const result = await cognito.verify(header, issuers, methodScopes, now);
  if (!("error" in result)) return "passed";
  expect(result.error.type).toBe("UNAUTHORIZED");
  return result.error.message;
}

describe("local gateway access: the local Cognito's pools and clients", () => {
  test("one app client per client name in each pool, with the pool's scopes once each", () => {
    expect(cognito.clients.map((c) => [c.name, c.issuer, c.scopes])).toEqual([
      ["web", issuer, ["requests/write", "requests/read"]],
      ["batch", issuer, ["requests/write", "requests/read"]],
      ["web", otherIssuer, ["x/y"]],
      ["batch", otherIssuer, ["x/y"]],
    ]);
    expect(web.clientId).toMatch(/^[0-9a-f]{26}$/);
    expect(web.clientSecret).toMatch(/^[\w-]{43}$/);
    expect(new Set(cognito.clients.map((c) => c.clientId)).size).toBe(4);
  });

  test("each pool serves its own RS256 signing key as its JWKS; an unknown pool has none", () => {
    const keys = cognito.jwks(issuer)!.keys;
    expect(keys).toEqual([expect.objectContaining({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.any(String) })]);
    expect(keys[0]).not.toHaveProperty("d");
    expect(cognito.jwks(otherIssuer)!.keys[0]!.kid).not.toBe(keys[0]!.kid);
    expect(cognito.jwks(`${issuer}x`)).toBeUndefined();
  });
});

describe("local gateway access: the client-credentials grant", () => {
  test("an access token with Cognito's claims, signed with the pool's key, valid for an hour", async () => {
    const issued = await cognito.issue(web.clientId, web.clientSecret, ["requests/read"], NOW_S);
    expect(issued).toEqual({ accessToken: expect.any(String), expiresIn: TOKEN_SECONDS, scope: "requests/read" });
    const accessToken = (issued as { accessToken: string }).accessToken;
    expect(decodeProtectedHeader(accessToken)).toEqual({ alg: "RS256", kid: cognito.jwks(issuer)!.keys[0]!.kid });
    expect(decodeJwt(accessToken)).toEqual({
      iss: issuer,
      sub: web.clientId,
      client_id: web.clientId,
      token_use: "access",
      scope: "requests/read",
      auth_time: NOW_S,
      iat: NOW_S,
      exp: NOW_S + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: 2,
    });
    expect(TOKEN_SECONDS).toBe(3600);
  });

  test("no scope asked for, or an empty list, gets every scope the client may have", async () => {
    for (const requested of [undefined, []])
      expect(await cognito.issue(web.clientId, web.clientSecret, requested, NOW_S)).toMatchObject({
        scope: "requests/write requests/read",
      });
  });

  test("a wrong secret or id is invalid_client; a scope the client may not have is invalid_scope", async () => {
    expect(await cognito.issue(web.clientId, "wrong", undefined)).toEqual({ error: "invalid_client" });
    expect(await cognito.issue("wrong", web.clientSecret, undefined)).toEqual({ error: "invalid_client" });
    expect(await cognito.issue(web.clientId, other.clientSecret, undefined)).toEqual({ error: "invalid_client" });
    expect(await cognito.issue(web.clientId, web.clientSecret, ["requests/read", "x/y"])).toEqual({
      error: "invalid_scope",
    });
  });

  test("without a time the token is issued now", async () => {
    const before = Math.floor(Date.now() / 1000);
    const issued = await cognito.issue(web.clientId, web.clientSecret, undefined);
    const { iat } = decodeJwt((issued as { accessToken: string }).accessToken);
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe("local gateway access: the COGNITO_USER_POOLS authorizer", () => {
  test("a token holding one of the method's scopes passes, with its claims as strings", async () => {
    const accessToken = await token(web, ["requests/write"]);
    const result = await cognito.verify(accessToken, [issuer], ["requests/read", "requests/write"], NOW);
    expect(result).toEqual({
      claims: {
        iss: issuer,
        sub: web.clientId,
        client_id: web.clientId,
        token_use: "access",
        scope: "requests/write",
        auth_time: String(NOW_S),
        iat: String(NOW_S),
        exp: String(NOW_S + 3600),
        jti: expect.any(String),
        version: "2",
      },
    });
  });

  test("the token is read with or without a Bearer prefix, in any case", async () => {
    const accessToken = await token(web);
    for (const header of [accessToken, `Bearer ${accessToken}`, `bearer   ${accessToken}`])
      expect(await verdict(header)).toBe("passed");
  });

  test("a token of one of several pools passes an authorizer of those pools", async () => {
    expect(await verdict(await token(other), ["x/y"], [issuer, otherIssuer])).toBe("passed");
  });

  test("no token, a malformed one, or another pool's: 401 saying why", async () => {
    expect(await verdict(undefined)).toBe(
      "Unauthorized (no Authorization header; send the access token from the local token endpoint)",
    );
    expect(await verdict("")).toMatch(/^Unauthorized \(no Authorization header/);
    expect(await verdict("Bearer not-a-jwt")).toBe("Unauthorized (the token is not valid: ERR_JWS_INVALID)");
    expect(await verdict(await token(other), ["x/y"])).toBe(
      "Unauthorized (the token is not valid: ERR_JWKS_NO_MATCHING_KEY)",
    );
  });

  test("a token is refused once it has expired, by the authorizer's clock", async () => {
    const accessToken = await token(web);
    expect(await verdict(accessToken, undefined, undefined, NOW + 3599_000)).toBe("passed");
    expect(await verdict(accessToken, undefined, undefined, NOW + 3601_000)).toBe(
      "Unauthorized (the token has expired)",
    );
  });

  test("a token without any of the method's scopes, or where the method takes an ID token", async () => {
    const reader = await token(web, ["requests/read"]);
    expect(await verdict(reader, ["requests/write", "admin/all"])).toBe(
      "Unauthorized (the token has none of the scopes requests/write, admin/all)",
    );
    expect(await verdict(reader, [])).toBe("Unauthorized (this method takes an ID token)");
  });

  test("an ID token passes a method without scopes and is refused by one with scopes", async () => {
    const idToken = await poolToken({ token_use: "id", sub: "user-1", email: "a@example.com" });
    expect(await verdict(idToken, [])).toBe("passed");
    expect(await verdict(idToken, ["requests/write"])).toBe("Unauthorized (this method takes an access token)");
  });

  test("an access token without a scope claim holds no scope", async () => {
    const scopeless = await poolToken({ token_use: "access", client_id: web.clientId });
    expect(await verdict(scopeless)).toBe("Unauthorized (the token has none of the scopes requests/write)");
  });

  test("only a leading Bearer is taken off the header", async () => {
    expect(await verdict(`${await token(web)}Bearer `)).toMatch(/^Unauthorized \(the token is not valid: ERR_JWS_/);
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import type { GatewayError } from "../gateway-responses.js";

/**
 * Local stand-in for the Cognito user pools a COGNITO_USER_POOLS authorizer names: per pool an RS256 key pair (its
 * JWKS) and one app client per local client, which gets access tokens with the client-credentials grant
 * (cognito-server.ts serves the token endpoint). Tokens carry what Cognito's client-credentials access tokens carry:
 * `iss` (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), `sub` and `client_id` (the app client id),
 * `token_use: "access"`, `scope`, `exp`, `iat`, `auth_time`, `jti`, `version`; no `aud`.
 */
export interface CognitoAppClient {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The custom scopes the client may request: every scope a method of the pool's authorizers names. */
  readonly scopes: readonly string[];
}

/** Cognito's default access-token validity. */
export const TOKEN_SECONDS = 3600;

export type TokenResult =
  | { readonly accessToken: string; readonly expiresIn: number; readonly scope: string }
  | { readonly error: "invalid_client" | "invalid_scope" };

export type VerifyResult = { readonly claims: Record<string, string> } | { readonly error: GatewayError };

interface Pool {
  readonly issuer: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export class LocalCognito {
  private constructor(
    private readonly pools: readonly Pool[],
    readonly clients: readonly CognitoAppClient[],
  ) {}

  /** One pool per issuer, with its scopes, and one app client per client name in each. */
  static async create(
    pools: readonly { readonly issuer: string; readonly scopes: readonly string[] }[],
    clientNames: readonly string[],
  ): Promise<LocalCognito> {
    const built = await Promise.all(
      pools.map(async ({ issuer }): Promise<Pool> => {
        const { privateKey, publicKey } = await generateKeyPair("RS256");
        const kid = randomUUID();
        return {
          issuer,
          kid,
          privateKey,
          publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
        };
      }),
    );
    const clients = pools.flatMap(({ issuer, scopes }) =>
      clientNames.map((name) => ({
        name,
        issuer,
        clientId: randomBytes(13).toString("hex"),
        clientSecret: randomBytes(32).toString("base64url"),
        scopes: [...new Set(scopes)],
      })),
    );
    return new LocalCognito(built, clients);
  }

  /** The pool's public keys, as `<issuer>/.well-known/jwks.json` serves them. */
  jwks(issuer: string): JSONWebKeySet | undefined {
    const pool = this.pools.find((p) => p.issuer === issuer);
    return pool ? { keys: [pool.publicJwk] } : undefined;
  }

  /**
   * The client-credentials grant: the client's id and secret, and the scopes it asks for (none = every scope it may
   * have, as Cognito does). `issuedAt` (seconds) lets a test make a token that is already expired.
   */
  async issue(
    clientId: string,
    clientSecret: string,
    requested: readonly string[] | undefined,
    issuedAt = Math.floor(Date.now() / 1000),
  ): Promise<TokenResult> {
    const client = this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!client) return { error: "invalid_client" };
    const scopes = requested && requested.length > 0 ? requested : client.scopes;
    if (scopes.some((scope) => !client.scopes.includes(scope))) return { error: "invalid_scope" };
    const pool = this.pools.find((p) => p.issuer === client.issuer)!;
    const scope = scopes.join(" ");
    const accessToken = await new SignJWT({
      client_id: client.clientId,
      token_use: "access",
      scope,
      auth_time: issuedAt,
      version: 2,
    })
      .setProtectedHeader({ alg: "RS256", kid: pool.kid })
      .setIssuer(client.issuer)
      .setSubject(client.clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + TOKEN_SECONDS)
      .setJti(randomUUID())
      .sign(pool.privateKey);
    return { accessToken, expiresIn: TOKEN_SECONDS, scope };
  }

  /**
   * What a COGNITO_USER_POOLS authorizer checks: a signature by one of its pools' keys, that pool's issuer, expiry,
   * and with method scopes an access token holding one of them (without scopes, an ID token). API Gateway answers
   * every failure 401 Unauthorized (AWS knowledge center, "How do I troubleshoot 401 Unauthorized errors from an
   * API Gateway REST API endpoint after I've set up an Amazon Cognito user pool?": expired token, another pool's
   * issuer, an ID token where scopes need an access token); the local message adds which check failed.
   */
  async verify(
    header: string | undefined,
    issuers: readonly string[],
    scopes: readonly string[],
    now = Date.now(),
  ): Promise<VerifyResult> {
    const refuse = (why: string): VerifyResult => ({
      error: { type: "UNAUTHORIZED", message: `Unauthorized (${why})` },
    });
    if (!header) return refuse("no Authorization header; send the access token from the local token endpoint");
    const token = header.replace(/^Bearer\s+/i, "");
    const keys = createLocalJWKSet({
      keys: this.pools.filter((p) => issuers.includes(p.issuer)).map((p) => p.publicJwk),
    });
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: [...issuers],
        algorithms: ["RS256"],
        currentDate: new Date(now),
      }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      return refuse(
        code === "ERR_JWT_EXPIRED" ? "the token has expired" : `the token is not valid: ${code ?? "malformed"}`,
      );
    }
    if (scopes.length === 0) {
      if (payload.token_use !== "id") return refuse("this method takes an ID token");
    } else {
      if (payload.token_use !== "access") return refuse("this method takes an access token");
      const granted = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
      if (!scopes.some((scope) => granted.includes(scope)))
        return refuse(`the token has none of the scopes ${scopes.join(", ")}`);
    }
    return { claims: Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, String(value)])) };
  }
}

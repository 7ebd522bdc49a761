import { LocalCognito } from "./gateway/access/cognito.js";
import { startCognitoServer, type CognitoServer } from "./gateway/access/cognito-server.js";
import { localPrincipals, type LocalPrincipal } from "./gateway/access/iam-principals.js";
import { UsageMeter } from "./gateway/access/throttle.js";
import type { AccessControl } from "./gateway/access/access.js";
import type { RestApiModel } from "./gateway/model.js";

/**
 * The credentials `npm run local` makes up for the synth's authorization modes, and the one usage meter every local
 * gateway shares (a usage plan's limits apply per key across all its stages):
 * - AWS_IAM methods: access keys for the principals the resource policies name, plus one unnamed principal of the
 *   account (iam-principals.ts);
 * - COGNITO_USER_POOLS methods: a local pool per authorizer provider, with one app client per API key (client)
 *   and a token endpoint for the client-credentials grant (cognito.ts, cognito-server.ts).
 */
export interface LocalAccess extends AccessControl {
  /** Empty when no method uses AWS_IAM. */
  readonly principals: readonly LocalPrincipal[];
  /** The token and JWKS endpoints; undefined when no method uses Cognito. */
  readonly cognitoServer: CognitoServer | undefined;
  stop(): Promise<void>;
}

/** The app clients' names when the synth has no API keys to name clients after. */
const DEFAULT_CLIENT = "local-client";

export async function startLocalAccess(apis: readonly RestApiModel[], host: string): Promise<LocalAccess> {
  const methods = apis.flatMap((api) => api.methods);
  const iamApis = apis.filter((api) => api.methods.some((m) => m.authorization.type === "AWS_IAM"));
  const principals =
    iamApis.length === 0
      ? []
      : localPrincipals(
          iamApis.flatMap((api) => api.resourcePolicy ?? []),
          iamApis[0]!.executionArn.split(":")[4]!,
        );

  const pools = new Map<string, Set<string>>();
  for (const { authorization } of methods) {
    if (authorization.type !== "COGNITO_USER_POOLS") continue;
    for (const issuer of authorization.issuers) {
      const scopes = pools.get(issuer) ?? new Set<string>();
      authorization.scopes.forEach((scope) => scopes.add(scope));
      pools.set(issuer, scopes);
    }
  }
  const clientNames = [...new Set(apis.flatMap((api) => api.apiKeys.map((key) => key.name)))];
  const cognito =
    pools.size === 0
      ? undefined
      : await LocalCognito.create(
          [...pools].map(([issuer, scopes]) => ({ issuer, scopes: [...scopes] })),
          clientNames.length > 0 ? clientNames : [DEFAULT_CLIENT],
        );
  const cognitoServer = cognito ? await startCognitoServer(cognito, host) : undefined;
  return {
    principals,
    cognito,
    cognitoServer,
    meter: new UsageMeter(),
    stop: async () => cognitoServer?.close(),
  };
}

/**
 * The curl arguments that carry a credential for the "Try it" lines: the first named principal's SigV4 signing, or
 * a Cognito token (`$TOKEN`, fetched as the printed token line shows); none in api_key mode.
 */
export function credentialArgs(access: LocalAccess, region: string): string {
  const signer = access.principals.find((p) => p.named);
  if (signer)
    return ` --aws-sigv4 "aws:amz:${region}:execute-api" --user '${signer.accessKeyId}:${signer.secretAccessKey}'`;
  return access.cognito ? ` -H "Authorization: $TOKEN"` : "";
}

/**
 * What `npm run local` prints so a client can call each mode: every local principal's key pair (and whether the
 * resource policy names it) with the curl option that signs, and every Cognito app client with its token endpoint.
 */
export function accessLines(access: LocalAccess, region: string): string[] {
  const sigv4 = (p: LocalPrincipal) =>
    `--aws-sigv4 "aws:amz:${region}:execute-api" --user '${p.accessKeyId}:${p.secretAccessKey}'`;
  return [
    ...access.principals.flatMap((p) => [
      `IAM:        ${p.arn}   (${p.named ? "named in the resource policy" : "NOT named: the resource policy denies it"})`,
      `            curl ${sigv4(p)} ...`,
    ]),
    ...(access.cognito?.clients ?? []).flatMap((c) => [
      `Cognito:    client ${c.name}: id ${c.clientId}, secret ${c.clientSecret} (scopes: ${c.scopes.join(" ") || "none"})`,
      `            TOKEN=$(curl -s -u '${c.clientId}:${c.clientSecret}' -d grant_type=client_credentials ${access.cognitoServer!.tokenUrl(c.issuer)} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    ]),
  ];
}

import { z } from "zod";
import { API_NAMES, type ApiName } from "./access-fields.js";

/** What a caller proves on each request method of an API (GET /health aside: it is open in every mode). */
export const AUTHORIZATION_MODES = ["iam", "cognito", "api_key"] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

const mode = z
  .enum(AUTHORIZATION_MODES)
  .default("iam")
  .describe(
    'The credential the API\'s request methods require; with `api_key_required` clients send their `x-api-key` too (usage plans meter keyed methods only). `"iam"` (default): SigV4-signed requests (`AWS_IAM`), admitted by the API\'s resource policy. `"cognito"`: a Cognito access token in `Authorization` with the method\'s scope. `"api_key"`: the `x-api-key` alone (the policy report fails unless `api_key_only_reason` says why). Both APIs take the same mode: a result belongs to the identity that sent it, and only that mode recognizes it when it reads. See [docs/DEPLOYING.md](docs/DEPLOYING.md#who-may-call-the-apis).',
  );

/** A principal a resource policy can name: a role, a user, or a whole account (`:root`); no wildcards. */
const iamPrincipalArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:(root|(role|user)\/[A-Za-z0-9+=,.@_/-]{1,512})$/,
    "expected an IAM role, user or account ARN such as arn:aws:iam::123456789012:role/orders-web (no wildcards)",
  );

const userPoolArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:cognito-idp:[a-z]{2}(-[a-z]+)+-\d:\d{12}:userpool\/[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$/,
    "expected a Cognito user pool ARN such as arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123",
  );

/** A custom scope as Cognito names it: `<resource server identifier>/<scope name>`. */
const scope = z
  .string()
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+\/[\x21\x23-\x5B\x5D-\x7E]+$/, "expected a scope such as requests/write");

const distinct = (list: readonly string[]) => new Set(list).size === list.length;

export const authorization = z
  .strictObject({
    ingest: mode,
    query: mode,
    iam_principals: z
      .array(iamPrincipalArn)
      .min(1)
      .max(100)
      .refine(distinct, "expected distinct ARNs")
      .nullable()
      .default(null)
      .describe(
        'For `"iam"` APIs: the principals the resource policy admits (roles, users, or `arn:aws:iam::<account>:root` for every principal of an account); every other principal is denied explicitly, even in this account. Each must exist when the policy is set. `null` = every principal of this account whose identity policy allows `execute-api:Invoke`; other accounts are denied.',
      ),
    cognito_user_pool_arns: z
      .array(userPoolArn)
      .max(1000)
      .refine(distinct, "expected distinct ARNs")
      .default([])
      .describe('For `"cognito"` APIs (at least one then): the user pools whose access tokens the authorizer accepts.'),
    cognito_scopes: z
      .strictObject({
        write: scope
          .default("requests/write")
          .describe(
            'For `"cognito"`: the OAuth scope `POST /requests` requires (a custom scope of a resource server of the user pools), so only access tokens carrying it pass.',
          ),
        read: scope
          .default("requests/read")
          .describe('For `"cognito"`: the OAuth scope `GET /requests/{requestId}` requires.'),
      })
      // Listed key by key in docs/CONFIGURATION.md: an object without a description of its own.
      .default({ write: "requests/write", read: "requests/read" }),
    api_key_only_reason: z
      .string()
      .min(10)
      .nullable()
      .default(null)
      .describe(
        'Why an `"api_key"` API may take the key as the only credential (shown in the policy report); `null` = `npm run policy` fails for such an API.',
      ),
  })
  .default({
    ingest: "iam",
    query: "iam",
    iam_principals: null,
    cognito_user_pool_arns: [],
    cognito_scopes: { write: "requests/write", read: "requests/read" },
    api_key_only_reason: null,
  });
export type Authorization = z.output<typeof authorization>;

/** The APIs in `mode`. */
export const apisIn = (config: Pick<Authorization, ApiName>, mode: AuthorizationMode): ApiName[] =>
  API_NAMES.filter((api) => config[api] === mode);

/** Settings that only mean something with a mode no API uses are errors; so is a mode without what it needs. */
export function authorizationIssues(config: {
  authorization?: Authorization;
  api_key_required?: boolean;
}): { path: (string | number)[]; message: string }[] {
  const auth = config.authorization;
  if (!auth) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (auth.query !== auth.ingest) {
    issues.push({
      path: ["authorization", "query"],
      message: `expected "${auth.ingest}", as authorization.ingest: a result belongs to the identity that sent it, which only the same mode can recognize when it reads`,
    });
  }
  const cognito = apisIn(auth, "cognito");
  if (cognito.length && !auth.cognito_user_pool_arns.length) {
    issues.push({
      path: ["authorization", "cognito_user_pool_arns"],
      message: `expected at least one user pool ARN, for ${cognito.map((api) => `authorization.${api}`).join(" and ")} ("cognito")`,
    });
  }
  if (!cognito.length && auth.cognito_user_pool_arns.length) {
    issues.push({ path: ["authorization", "cognito_user_pool_arns"], message: 'only with an API in "cognito"' });
  }
  if (!apisIn(auth, "iam").length && auth.iam_principals) {
    issues.push({ path: ["authorization", "iam_principals"], message: 'only with an API in "iam"' });
  }
  const keyOnly = apisIn(auth, "api_key");
  if (!keyOnly.length && auth.api_key_only_reason) {
    issues.push({ path: ["authorization", "api_key_only_reason"], message: 'only with an API in "api_key"' });
  }
  if (config.api_key_required === false) {
    for (const api of keyOnly) {
      issues.push({
        path: ["authorization", api],
        message: '"api_key" needs api_key_required: without a key the API would take no credential at all',
      });
    }
  }
  return issues;
}

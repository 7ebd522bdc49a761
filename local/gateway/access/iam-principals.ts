import { createHash, randomBytes } from "node:crypto";
import type { PolicyStatement } from "../../../tfjson/index.js";

/**
 * The IAM principals `npm run local` makes up so SigV4 methods can be called: one per principal the resource
 * policies name (in their Principal or in an `aws:PrincipalArn` condition), or, when they name none, one user of the
 * local account; plus one user that no policy names, to show the explicit Deny: of the same account, or of another
 * one when the policies name this account as a whole (then they admit all of its principals). Each gets an
 * access key pair generated for this run. Every local principal's own identity policy is taken to allow
 * `execute-api:Invoke` (a client role's policy would), so the resource policy alone decides.
 */
export interface LocalPrincipal {
  /** What `aws:PrincipalArn` holds: the user's or role's ARN (a role's, not its session's). */
  readonly arn: string;
  readonly accountId: string;
  /** `$context.identity.user` / `caller`: `AIDA...` for a user, `AROA...:<session>` for a role, the account id for root. */
  readonly userId: string;
  /** `$context.identity.userArn`: for a role, the assumed-role session's ARN. */
  readonly userArn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** False for the principal made up to show that an unnamed caller of the account is refused. */
  readonly named: boolean;
}

/** The session name of the local role sessions (what `aws sts assume-role --role-session-name` would set). */
export const LOCAL_SESSION = "local";

/** Every principal ARN or account the statements name, in order, without `*`. */
export function namedPrincipals(statements: readonly PolicyStatement[]): string[] {
  const named = new Set<string>();
  for (const statement of statements) {
    const principal = statement.Principal as { AWS?: string | string[] } | string | undefined;
    if (typeof principal === "object") for (const entry of [principal.AWS ?? []].flat()) named.add(entry);
    for (const [operator, tests] of Object.entries(statement.Condition ?? {})) {
      if (!operator.startsWith("Arn") && !operator.startsWith("String")) continue;
      for (const [key, values] of Object.entries(tests as Record<string, string | string[]>))
        if (key.toLowerCase() === "aws:principalarn") for (const value of [values].flat()) named.add(value);
    }
  }
  return [...named].filter((entry) => entry !== "*");
}

export function localPrincipals(statements: readonly PolicyStatement[], accountId: string): LocalPrincipal[] {
  const named = namedPrincipals(statements);
  const concrete = (named.length > 0 ? named : [`arn:aws:iam::${accountId}:user/local-client`]).map((entry) =>
    // An account id, or a pattern for every principal of an account (`arn:aws:iam::<account>:*`, what a Deny's
    // ArnNotLike holds for a named account), names the account's root; another wildcard pattern gets one concrete
    // principal that matches it.
    /^\d{12}$/.test(entry)
      ? `arn:aws:iam::${entry}:root`
      : entry
          .replace(/^(arn:aws[a-z-]*:iam::\d{12}:)\*$/, "$1root")
          .replace(/\*/g, "local")
          .replace(/\?/g, "x"),
  );
  const principals = [...new Set(concrete)].map((arn) => principal(arn, true));
  // A root principal stands for every principal of its account.
  const wholeAccounts = new Set(principals.filter((p) => p.arn.endsWith(":root")).map((p) => p.accountId));
  const unnamedAccount = [accountId, ...OTHER_ACCOUNTS].find((account) => !wholeAccounts.has(account))!;
  return [...principals, principal(`arn:aws:iam::${unnamedAccount}:user/local-not-named`, false)];
}

/** Accounts for the principal no policy names when the policies name the API's own account as a whole. */
const OTHER_ACCOUNTS = ["111111111111", "222222222222"];

function principal(arn: string, named: boolean): LocalPrincipal {
  // A root ARN has no path; a user or role ARN has a name, after an optional path.
  const parsed = /^arn:(aws[a-z-]*):iam::(\d{12}):(?:root|(user|role)\/(?:.*\/)?([^/]+))$/.exec(arn);
  if (!parsed)
    throw new Error(`local: the resource policy names ${arn}; only IAM user, role and root ARNs can sign locally`);
  const [, partition, accountId, kind = "root", name] = parsed as unknown as [string, string, string, string, string];
  // Stable ids per ARN (AWS's are random but fixed for the principal's life), so owners survive restarts.
  const unique = createHash("sha256").update(arn).digest("hex").slice(0, 17).toUpperCase();
  const identity =
    kind === "root"
      ? { userId: accountId, userArn: arn }
      : kind === "user"
        ? { userId: `AIDA${unique}`, userArn: arn }
        : {
            userId: `AROA${unique}:${LOCAL_SESSION}`,
            userArn: `arn:${partition}:sts::${accountId}:assumed-role/${name}/${LOCAL_SESSION}`,
          };
  return {
    arn,
    accountId,
    ...identity,
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    named,
  };
}

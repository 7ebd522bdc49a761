import type { PolicyStatement } from "../../../tfjson/index.js";

/**
 * An API Gateway resource policy evaluated for one request, the way IAM does for `execute-api:Invoke`: an explicit
 * Deny wins, then an Allow, else the request is implicitly denied. Only what the stack's policies use is evaluated:
 * `Principal` ("*", `{"AWS": ...}` with ARNs or account ids) and the condition keys `aws:PrincipalArn` and
 * `aws:PrincipalAccount` with the String and Arn operators. Anything else fails at start (`checkResourcePolicy`),
 * since a policy evaluated partly would let the local run admit what AWS refuses.
 */

/** The signer of a request, as IAM sees it; `{}` for an anonymous caller (NONE or Cognito methods). */
export interface PolicyCaller {
  /** For a role session, the role's ARN (what `aws:PrincipalArn` holds), not the session's. */
  readonly principalArn?: string;
  readonly accountId?: string;
}

export type PolicyDecision = "explicit-deny" | "allow" | "no-allow";

const OPERATORS = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringLike",
  "StringNotLike",
  "ArnEquals",
  "ArnNotEquals",
  "ArnLike",
  "ArnNotLike",
]);
const KEYS = new Set(["aws:principalarn", "aws:principalaccount"]);

/** Throws, naming the statement, for any element the local evaluation would ignore. */
export function checkResourcePolicy(statements: readonly PolicyStatement[], where: string): void {
  statements.forEach((statement, index) => {
    const at = `${where}, statement ${statement.Sid ?? index}`;
    for (const unsupported of ["NotPrincipal", "NotAction", "NotResource"])
      if (unsupported in statement) throw new Error(`local: ${at} uses ${unsupported}, which is not emulated`);
    const principal = statement.Principal;
    if (principal !== "*" && !(isRecord(principal) && Object.keys(principal).every((k) => k === "AWS")))
      throw new Error(
        `local: ${at} has Principal ${JSON.stringify(principal)}; only "*" and {"AWS": ...} are emulated`,
      );
    for (const [operator, tests] of Object.entries(statement.Condition ?? {})) {
      if (!OPERATORS.has(operator)) throw new Error(`local: ${at} uses condition ${operator}, which is not emulated`);
      for (const key of Object.keys(tests as object))
        if (!KEYS.has(key.toLowerCase())) throw new Error(`local: ${at} tests ${key}, which is not emulated`);
    }
  });
}

/**
 * `resourceArn`: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`; `executionArn` its API part,
 * which the policy shorthand `execute-api:/...` stands for.
 */
export function evaluateResourcePolicy(
  statements: readonly PolicyStatement[],
  caller: PolicyCaller,
  resourceArn: string,
  executionArn: string,
): PolicyDecision {
  const applies = (s: PolicyStatement) =>
    principalMatches(s.Principal, caller) &&
    s.Action.some((action) => glob(action, "execute-api:Invoke", true)) &&
    s.Resource.some((resource) => glob(resource.replace(/^execute-api:/, executionArn), resourceArn, false)) &&
    conditionsHold(s.Condition ?? {}, caller);
  const matching = statements.filter(applies);
  if (matching.some((s) => s.Effect === "Deny")) return "explicit-deny";
  return matching.some((s) => s.Effect === "Allow") ? "allow" : "no-allow";
}

function principalMatches(principal: unknown, caller: PolicyCaller): boolean {
  if (principal === "*") return true;
  const named = ([] as string[]).concat((principal as { AWS: string | string[] }).AWS);
  return named.some((entry) => {
    if (entry === "*") return true;
    if (!caller.principalArn) return false;
    // An account id or its root ARN names every principal of that account.
    const account = /^(\d{12})$/.exec(entry)?.[1] ?? /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(entry)?.[1];
    return account !== undefined ? account === caller.accountId : entry === caller.principalArn;
  });
}

function conditionsHold(condition: Record<string, unknown>, caller: PolicyCaller): boolean {
  return Object.entries(condition).every(([operator, tests]) =>
    Object.entries(tests as Record<string, string | string[]>).every(([key, expected]) => {
      const value = key.toLowerCase() === "aws:principalarn" ? caller.principalArn : caller.accountId;
      const negated = operator.includes("Not");
      // IAM: a negated operator holds when the key is absent (an anonymous caller has no principal ARN).
      if (value === undefined) return negated;
      const like = operator.endsWith("Like") || operator.startsWith("Arn");
      const matches = ([] as string[])
        .concat(expected)
        .some((pattern) => (like ? glob(pattern, value, false) : pattern === value));
      return negated ? !matches : matches;
    }),
  );
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
export function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

/**
 * CDKTF has no `grant*` helpers; these keep policy JSON in one place. Policies are plain JSON strings whose
 * ARNs are Terraform references, so tests (and reviewers) can read exactly which actions go to which resources.
 */

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly principals?: Readonly<Record<string, string | readonly string[]>>;
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? "Allow",
      ...(s.principals ? { Principal: s.principals } : {}),
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions],
      Resource: s.resources.length === 1 ? s.resources[0] : [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/**
 * Trust policy for one AWS service principal. With `sourceAccount`, only requests made on behalf of that account
 * may assume the role (confused-deputy protection) - only for services that send `aws:SourceAccount`: ECS tasks do,
 * API Gateway does not when it assumes an integration or logging role (the condition would deny every request).
 */
export function assumeRolePolicy(servicePrincipal: string, sourceAccount?: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: servicePrincipal },
        Action: "sts:AssumeRole",
        ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
      },
    ],
  });
}

export interface ServiceRoleProps {
  /** Role name. */
  readonly name: string;
  /** Service principal that assumes the role, e.g. `ecs-tasks.amazonaws.com`. */
  readonly servicePrincipal: string;
  /** Require `aws:SourceAccount` to be this account. @default no condition (see assumeRolePolicy) */
  readonly sourceAccount?: string;
  /** What the role may do; each statement scoped to exact ARNs. */
  readonly statements: readonly PolicyStatement[];
}

/** A role for one AWS service with one inline least-privilege policy (no managed policies, no wildcards). */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  /** Depend on this (not just the role) when the permissions must exist before use. */
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.name,
      assumeRolePolicy: assumeRolePolicy(props.servicePrincipal, props.sourceAccount),
    });
    this.policy = new IamRolePolicy(this, "policy", {
      name: "least-privilege",
      role: this.role.id,
      policy: policyDocument(props.statements),
    });
  }

  get arn(): string {
    return this.role.arn;
  }
}

import { z } from "zod";

/** The value types several keys of `terraform.tfvars.json` share, each with the expectation users see. */

export const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, "expected 2-20 lowercase letters, digits or '-', starting with a letter");
export const domainName = z
  .string()
  .regex(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "expected a lowercase DNS name such as api.example.com (no wildcard: it is also the host API Gateway calls)",
  );
export const subnetId = z
  .string()
  .regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a subnet id such as subnet-0123456789abcdef0");
export const securityGroupId = z
  .string()
  .regex(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a security group id such as sg-0123456789abcdef0");
export const imageTag = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    "expected a Docker image tag (letters, digits, '_', '.', '-'; max 128)",
  );
export const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region such as eu-west-1");
export const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, "expected an ARN");
/** A KMS key (not an alias: CloudWatch Logs takes only key ARNs), single- or multi-Region. */
export const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
    "expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)",
  );
export const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected an email address");
export const logRetentionDays = z.union(
  [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].map((d) =>
    z.literal(d),
  ) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>],
  { error: "expected a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, ..., 3653)" },
);

/** API Gateway limits: a steady rate in requests/s (at most the account default), a burst, a quota per day. */
export const requestRate = z.number().positive().max(10_000);
export const requestBurst = z.number().int().positive().max(5_000);
export const dailyQuota = z.number().int().positive().nullable().default(null);

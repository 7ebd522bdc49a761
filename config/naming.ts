/**
 * AWS naming rules for every name the config feeds, checked before synth: AWS would otherwise reject these only
 * at apply, after other resources already exist. Each rule names the resource, the AWS rule, and the config key
 * that makes the name. The stacks build their names from the same prefixes (namePrefix, globalNamePrefix); the
 * suffixes below are restated from the stacks, so test/infra/first-deploy.test.ts checks the synthesized IAM names
 * against the limit directly.
 */

/** `<project>-<environment>`: the prefix of every resource name. */
export function namePrefix(config: { project: string; environment: string }): string {
  return `${config.project}-${config.environment}`;
}

/** Where the ALB writes its access logs in the bucket: the configured prefix, else `<project>-<environment>-alb`. */
export function albAccessLogsPrefix(config: {
  project: string;
  environment: string;
  alb_access_logs_prefix?: string | null;
}): string {
  return config.alb_access_logs_prefix ?? `${namePrefix(config)}-alb`;
}

/**
 * `<project>-<environment>-<region>`: the prefix of account-global names (IAM roles). The same configuration
 * deployed to a second region must not collide with the first: IAM names are unique per account, not per region.
 */
export function globalNamePrefix(config: { project: string; environment: string; region: string }): string {
  return `${namePrefix(config)}-${config.region}`;
}

/**
 * Suffixes the stacks append to the prefixes (a copy: a suffix added in stacks/ must be added here too); the longest
 * of each kind is what the limits are checked against.
 */
export const NAME_SUFFIXES = {
  loadBalancer: ["-alb", "-nlb"],
  iamRole: [
    "-api-execution",
    "-api-task",
    "-processor-execution",
    "-processor-task",
    "-ingest-sqs-send",
    "-apigateway-logs",
  ],
  queue: ["-requests", "-requests-dlq"],
  securityGroup: ["-alb", "-nlb", "-api", "-processor"],
  repository: ["/api", "/processor"],
} as const;

interface NameRule {
  readonly resource: string;
  readonly names: (config: NamedConfig) => string[];
  /** What AWS requires, as a sentence. */
  readonly rule: string;
  readonly valid: (name: string) => boolean;
  /** The config key that makes the name; `environment` when the two together are too long. */
  readonly field: "project" | "environment";
}

export interface NamedConfig {
  readonly project: string;
  readonly environment: string;
  readonly region: string;
}

const withSuffixes = (prefix: (c: NamedConfig) => string, suffixes: readonly string[]) => (c: NamedConfig) =>
  suffixes.map((s) => `${prefix(c)}${s}`);
const longest = (names: string[]) => names.reduce((a, b) => (b.length > a.length ? b : a));

/** ECR repository name components: lowercase alphanumerics separated by single '.', '_' or '-'. */
const ECR_COMPONENT = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export const NAME_RULES: readonly NameRule[] = [
  {
    resource: "load balancer",
    names: withSuffixes(namePrefix, NAME_SUFFIXES.loadBalancer),
    rule: "Elastic Load Balancing names must not begin with 'internal-'",
    valid: (name) => !name.startsWith("internal-"),
    field: "project",
  },
  {
    resource: "load balancer",
    names: (c) => [longest(withSuffixes(namePrefix, NAME_SUFFIXES.loadBalancer)(c))],
    rule: "Elastic Load Balancing names are at most 32 characters",
    valid: (name) => name.length <= 32,
    field: "environment",
  },
  {
    resource: "security group",
    names: withSuffixes(namePrefix, NAME_SUFFIXES.securityGroup),
    rule: "security group names must not begin with 'sg-'",
    valid: (name) => !name.startsWith("sg-"),
    field: "project",
  },
  {
    resource: "ECR repository",
    names: withSuffixes(namePrefix, NAME_SUFFIXES.repository),
    rule: "ECR repository names separate lowercase letters and digits by single '.', '_', '-' or '/' (no '--')",
    valid: (name) => name.split("/").every((part) => ECR_COMPONENT.test(part)),
    field: "project",
  },
  {
    resource: "IAM role",
    names: (c) => [longest(withSuffixes(globalNamePrefix, NAME_SUFFIXES.iamRole)(c))],
    rule: "IAM role names are at most 64 characters",
    valid: (name) => name.length <= 64,
    field: "environment",
  },
  {
    resource: "SQS queue",
    names: (c) => [longest(withSuffixes(namePrefix, NAME_SUFFIXES.queue)(c))],
    rule: "SQS queue names are at most 80 characters",
    valid: (name) => name.length <= 80,
    field: "environment",
  },
];

export interface NamingProblem {
  readonly field: NameRule["field"];
  readonly message: string;
}

export function namingProblems(config: NamedConfig): NamingProblem[] {
  return NAME_RULES.flatMap((rule) => {
    const bad = rule.names(config).find((name) => !rule.valid(name));
    if (bad === undefined) return [];
    // The ECR rule is broken by whichever key holds the '--'.
    const field =
      rule.field === "project" && !rule.names({ ...config, project: "a" }).every(rule.valid)
        ? "environment"
        : rule.field;
    return [
      { field, message: `makes the ${rule.resource} name "${bad}" (${bad.length} characters), but ${rule.rule}` },
    ];
  });
}

/** S3 bucket names (general purpose buckets): 3-63 lowercase letters, digits, '.', '-'; not an IP address. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    return "expected an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'";
  if (/\.\.|\.-|-\./.test(bucket) || /^\d+\.\d+\.\d+\.\d+$/.test(bucket))
    return "expected an S3 bucket name (no '..', '.-', '-.', nor an IP address)";
  if (/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(bucket))
    return "uses a prefix or suffix S3 reserves";
  return undefined;
}

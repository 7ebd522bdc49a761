import { albAccessLogsPrefix, namePrefix, namingProblems } from "./naming.js";
import type { ValidFields } from "./fields.js";
import { FARGATE_MEMORY_BY_CPU } from "./service-fields.js";
import { wafRateFloor } from "./nested-fields.js";
import { fastestClientRate } from "./access-fields.js";
import { capacityIssues } from "./capacity.js";
import { authorizationIssues } from "./authorization-fields.js";
import { collectorImageIssues } from "./tracing-fields.js";

/** A problem that involves more than one key, reported on the key at fault. */
export interface CrossFieldIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

type Services = NonNullable<ValidFields["services"]>;

/** Rules that involve more than one key; each names the key at fault, and skips when a key it needs is invalid. */
export function crossFieldIssues(config: ValidFields): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  if (config.project !== undefined && config.environment !== undefined && config.region !== undefined) {
    for (const problem of namingProblems({
      project: config.project,
      environment: config.environment,
      region: config.region,
    })) {
      issues.push({
        path: [problem.field],
        message: `"${namePrefix({ project: config.project, environment: config.environment })}" (project-environment) ${problem.message}`,
      });
    }
  }
  for (const [serviceName, svc] of Object.entries(config.services ?? {})) {
    const range = FARGATE_MEMORY_BY_CPU[svc.cpu];
    if (!range) {
      issues.push({
        path: ["services", serviceName, "cpu"],
        message: `expected a Fargate CPU value: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`,
      });
      continue;
    }
    const [min, max, step] = range;
    if (svc.memory < min || svc.memory > max || svc.memory % step !== 0) {
      issues.push({
        path: ["services", serviceName, "memory"],
        message: `expected ${min}-${max} MiB in steps of ${step} for cpu ${svc.cpu}`,
      });
    }
  }
  issues.push(...processorCountIssues(config.services?.processor), ...operationsIssues(config), ...wafIssues(config));
  issues.push(...capacityIssues(config), ...clientIssues(config), ...authorizationIssues(config));
  issues.push(...retentionIssues(config), ...collectorImageIssues(config));
  const logKeyRegion = config.log_kms_key_arn?.split(":")[3];
  if (logKeyRegion !== undefined && config.region !== undefined && logKeyRegion !== config.region) {
    issues.push({
      path: ["log_kms_key_arn"],
      message: `must be a key in ${config.region} (the region of the log groups), not ${logKeyRegion}`,
    });
  }
  if (
    config.alb_access_logs_bucket &&
    !config.alb_access_logs_prefix &&
    config.project !== undefined &&
    config.environment !== undefined &&
    /awslogs/i.test(albAccessLogsPrefix({ project: config.project, environment: config.environment }))
  ) {
    issues.push({
      path: ["project"],
      message:
        "the ALB access-log prefix (project-environment-alb) must not contain `AWSLogs`: set alb_access_logs_prefix",
    });
  }
  if (
    config.keep_nlb_during_migration &&
    config.private_integration !== undefined &&
    config.private_integration !== "alb"
  ) {
    issues.push({
      path: ["keep_nlb_during_migration"],
      message:
        'only for the migration step to private_integration "alb" (docs/PRIVATE-NETWORKING.md); with "nlb" the NLB is the path anyway',
    });
  }
  return issues;
}

function processorCountIssues(processor: Services["processor"] | undefined): CrossFieldIssue[] {
  if (!processor) return [];
  if (processor.min_count > processor.max_count) {
    return [
      {
        path: ["services", "processor", "min_count"],
        message: `must not exceed services.processor.max_count (${processor.max_count})`,
      },
    ];
  }
  if (processor.desired_count < processor.min_count || processor.desired_count > processor.max_count) {
    return [
      {
        path: ["services", "processor", "desired_count"],
        message: `must be between services.processor.min_count and max_count (${processor.min_count}-${processor.max_count})`,
      },
    ];
  }
  return [];
}

function operationsIssues(config: ValidFields): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const api = config.services?.api;
  if (api && api.min_count > api.max_count) {
    issues.push({
      path: ["services", "api", "min_count"],
      message: `must not exceed services.api.max_count (${api.max_count})`,
    });
  } else if (api && (api.desired_count < api.min_count || api.desired_count > api.max_count)) {
    issues.push({
      path: ["services", "api", "desired_count"],
      message: `must be between services.api.min_count and max_count (${api.min_count}-${api.max_count})`,
    });
  }
  if (config.alarm_topic_arn && config.alarms?.email_subscriptions.length) {
    issues.push({
      path: ["alarms", "email_subscriptions"],
      message: "only for the topic this stack creates: with alarm_topic_arn set, subscribe on that topic instead",
    });
  }
  // A message that fails every receive is redelivered max_receive_count times, one visibility timeout
  // (2 x max_batch_seconds) apart, before it reaches the DLQ: a lower threshold would page for every poison message.
  const batchSeconds = config.services?.processor?.max_batch_seconds;
  if (config.max_receive_count !== undefined && batchSeconds !== undefined && config.alarms) {
    const poisonSeconds = config.max_receive_count * 2 * batchSeconds;
    // Asked as "does it exceed" so that a value this rule cannot check (NaN) is reported, not passed: the guard
    // above is what skips the rule when a key it needs is invalid.
    if (!(config.alarms.queue_oldest_message_seconds > poisonSeconds)) {
      issues.push({
        path: ["alarms", "queue_oldest_message_seconds"],
        message: `must exceed max_receive_count x the visibility timeout (${poisonSeconds} s), or every poison message raises it`,
      });
    }
  }
  return issues;
}

function wafIssues(config: ValidFields): CrossFieldIssue[] {
  const waf = config.waf_web_acl;
  if (!waf) return [];
  if (config.waf_web_acl_arn) {
    return [
      { path: ["waf_web_acl"], message: "a stage takes one web ACL: set waf_web_acl or waf_web_acl_arn, not both" },
    ];
  }
  if (
    waf.rate_limit_per_ip === null ||
    config.throttle_rate_limit === undefined ||
    config.api_key_required === undefined ||
    config.clients === undefined ||
    config.throttle_burst_limit === undefined ||
    config.quota_per_day === undefined
  )
    return [];
  const fastest = fastestClientRate({
    clients: config.clients,
    api_key_required: config.api_key_required,
    throttle_rate_limit: config.throttle_rate_limit,
    throttle_burst_limit: config.throttle_burst_limit,
    quota_per_day: config.quota_per_day,
  });
  const floor = wafRateFloor(waf, fastest);
  // WAF counts before API Gateway throttles, so a limit below what the throttle admits blocks clients within it.
  if (!(waf.rate_limit_per_ip >= floor)) {
    return [
      {
        path: ["waf_web_acl", "rate_limit_per_ip"],
        message: `must be at least the fastest client's rate x rate_window_seconds (${fastest} x ${waf.rate_window_seconds} = ${floor}), or WAF blocks a client that stays within its limit`,
      },
    ];
  }
  return [];
}

function clientIssues(config: ValidFields): CrossFieldIssue[] {
  if (!config.clients) return [];
  const issues: CrossFieldIssue[] = [];
  if (config.api_key_required === false) {
    issues.push({ path: ["clients"], message: "only with api_key_required: usage plans meter API keys" });
  }
  if (config.quota_per_day) {
    issues.push({ path: ["quota_per_day"], message: "only without clients: set each client's quota_per_day instead" });
  }
  return issues;
}

/** A retention needs an attribute for DynamoDB TTL to act on; without one, results would never be deleted. */
function retentionIssues(config: ValidFields): CrossFieldIssue[] {
  if (config.table_ttl_attribute !== null || typeof config.result_retention_days !== "number") return [];
  return [
    {
      path: ["table_ttl_attribute"],
      message: `is null, but result_retention_days is ${config.result_retention_days}: name the attribute DynamoDB TTL deletes by (e.g. "expiresAt"), or set result_retention_days to null to keep results forever`,
    },
  ];
}

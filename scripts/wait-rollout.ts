/**
 * `npm run deploy:main`'s last step: waits (bounded) for the ECS deployments the apply started and exits non-zero
 * when one rolled back or was stopped (scripts/rollout-outcome.ts decides). Reads the cluster name from the stack's
 * `cluster_name` output; calls AWS through the AWS CLI.
 *
 *   tsx scripts/wait-rollout.ts --stack-dir <dir> --since <ISO time> [--timeout-minutes 60] [--services api,processor]
 */
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { EXIT, exitCodeOf, waitForRollouts, type ServiceDeployment } from "./rollout-outcome.js";

const USAGE =
  "usage: tsx scripts/wait-rollout.ts --stack-dir <dir> --since <ISO time> [--timeout-minutes 60] [--services api,processor] [--poll-seconds 15]";

const json = (command: string, args: string[]): unknown =>
  JSON.parse(execFileSync(command, args, { encoding: "utf8" }));

interface Listed {
  readonly serviceDeployments: readonly { readonly serviceDeploymentArn: string }[];
}
interface Described {
  readonly serviceDeployments: readonly {
    readonly serviceDeploymentArn: string;
    readonly status: string;
    readonly statusReason?: string;
    readonly createdAt: string;
  }[];
}

/** The service's newest deployments since `since`, with their status reasons (two AWS calls). */
function deploymentsOf(cluster: string, since: Date) {
  return (service: string): Promise<ServiceDeployment[]> => {
    const listArgs = ["ecs", "list-service-deployments", "--cluster", cluster, "--service", service];
    const after = ["--created-at", `after=${since.toISOString()}`, "--output", "json"];
    const listed = (json("aws", [...listArgs, ...after]) as Listed).serviceDeployments;
    if (listed.length === 0) return Promise.resolve([]);
    const arns = listed.map((d) => d.serviceDeploymentArn);
    const described = (
      json("aws", [
        "ecs",
        "describe-service-deployments",
        "--service-deployment-arns",
        ...arns,
        "--output",
        "json",
      ]) as Described
    ).serviceDeployments;
    return Promise.resolve(
      described.map((d) => ({
        arn: d.serviceDeploymentArn,
        status: d.status,
        statusReason: d.statusReason,
        createdAt: Date.parse(d.createdAt),
      })),
    );
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        "stack-dir": { type: "string" },
        since: { type: "string" },
        "timeout-minutes": { type: "string", default: "60" },
        "poll-seconds": { type: "string", default: "15" },
        services: { type: "string", default: "api,processor" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`wait-rollout: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const since = new Date(values.since ?? "");
  const timeoutMinutes = Number(values["timeout-minutes"]);
  const pollSeconds = Number(values["poll-seconds"]);
  const problem = !values["stack-dir"]
    ? "--stack-dir is required"
    : Number.isNaN(since.getTime())
      ? `--since: expected an ISO time, got ${JSON.stringify(values.since ?? "")}`
      : !(timeoutMinutes > 0)
        ? `--timeout-minutes: expected a positive number, got ${values["timeout-minutes"]}`
        : !(pollSeconds > 0)
          ? `--poll-seconds: expected a positive number, got ${values["poll-seconds"]}`
          : undefined;
  if (problem) {
    console.error(`wait-rollout: ${problem}\n${USAGE}`);
    return 2;
  }
  const cluster = execFileSync("terraform", [`-chdir=${values["stack-dir"]}`, "output", "-raw", "cluster_name"], {
    encoding: "utf8",
  }).trim();
  const log = (line: string) => console.error(`wait-rollout: ${line}`);
  log(`waiting up to ${timeoutMinutes} min for the deployments of ${values.services} in ${cluster}`);
  const outcomes = await waitForRollouts({
    services: values.services.split(","),
    since: since.getTime(),
    timeoutMs: timeoutMinutes * 60_000,
    pollMs: pollSeconds * 1000,
    deploymentsOf: deploymentsOf(cluster, since),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log,
  });
  const code = exitCodeOf(outcomes);
  if (code === EXIT.failed)
    log("a deployment rolled back or was stopped: docs/RUNBOOK.md#failed-or-rolled-back-deployments");
  if (code === EXIT.timedOut)
    log(`still deploying after ${timeoutMinutes} min: ECS carries on; watch it (docs/OPERATIONS.md)`);
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}

import { field, list, resources, show } from "../../tfjson/index.js";
import { each, isOneOf, type Control, type PolicyInput } from "./check.js";

/** Names that suggest a secret; such values belong in Secrets Manager/SSM (`secrets`), never in `environment`. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|API_KEY|CREDENTIAL)/i;

/** The fields of an ECS container definition (`container_definitions`, a JSON string) the controls read. */
interface ContainerDefinition {
  readonly name: string;
  readonly privileged?: unknown;
  readonly readonlyRootFilesystem?: unknown;
  readonly user?: unknown;
  readonly environment?: unknown;
  readonly logConfiguration?: { readonly logDriver?: unknown };
}

const containers = (input: PolicyInput) =>
  resources(input.main, "aws_ecs_task_definition").flatMap((task) =>
    (JSON.parse(task.body.container_definitions as string) as ContainerDefinition[]).map((container) => ({
      task,
      container,
    })),
  );

/** ECS */
export const ECS_CONTROLS: readonly Control[] = [
  {
    ids: ["ECS.2"],
    resourceType: "aws_ecs_service",
    title: "Services do not assign public IPs",
    why: "Tasks are reachable only through the load balancers.",
    check: (input) =>
      each(
        resources(input.main, "aws_ecs_service"),
        (s) => field(s.body, "network_configuration", "assign_public_ip") !== false && "public IP not disabled",
      ),
  },
  {
    ids: ["ECS.4"],
    resourceType: "aws_ecs_task_definition",
    title: "Containers are not privileged",
    why: "A privileged container has root on the host.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        container.privileged === true ? [`${task.path}/${container.name}: privileged`] : [],
      ),
  },
  {
    ids: ["ECS.5"],
    resourceType: "aws_ecs_task_definition",
    title: "Read-only root filesystem",
    why: "An attacker cannot persist tools or modify the application on disk.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        container.readonlyRootFilesystem !== true ? [`${task.path}/${container.name}: writable root filesystem`] : [],
      ),
  },
  {
    ids: ["ECS.3", "ECS.17"],
    resourceType: "aws_ecs_task_definition",
    title: "No host network or PID namespace",
    why: "Sharing the host's namespaces breaks task isolation.",
    check: (input) =>
      each(resources(input.main, "aws_ecs_task_definition"), (t) =>
        t.body.network_mode === "host" ? "host network mode" : t.body.pid_mode === "host" && "host PID mode",
      ),
  },
  {
    ids: ["ECS.8"],
    resourceType: "aws_ecs_task_definition",
    title: "No secrets in plain environment variables",
    why: "Environment values are readable by anyone who can describe the task definition.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        list(container.environment)
          .map((e) => show(field(e, "name")))
          .filter((name) => SECRET_NAME.test(name))
          .map((name) => `${task.path}/${container.name}: ${name} looks like a secret in plain environment`),
      ),
  },
  {
    ids: ["ECS.9"],
    resourceType: "aws_ecs_task_definition",
    title: "Logging on every container",
    why: "Without a log driver, a crashing container leaves no trace.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        !container.logConfiguration?.logDriver ? [`${task.path}/${container.name}: no log configuration`] : [],
      ),
  },
  {
    ids: ["ECS.10"],
    resourceType: "aws_ecs_service",
    title: "Fargate platform version LATEST",
    why: "Older platform versions miss security patches.",
    check: (input) =>
      each(
        resources(input.main, "aws_ecs_service").filter(
          (s) =>
            s.body.launch_type === "FARGATE" ||
            list(s.body.capacity_provider_strategy).some((p) =>
              String(field(p, "capacity_provider")).startsWith("FARGATE"),
            ),
        ),
        (s) => s.body.platform_version !== "LATEST" && `platform ${show(s.body.platform_version)}`,
      ),
  },
  {
    ids: ["ECS.12"],
    resourceType: "aws_ecs_cluster",
    title: "Container Insights on every cluster",
    why: "Per-task CPU/memory metrics drive scaling decisions and incident analysis.",
    check: (input) =>
      each(
        resources(input.main, "aws_ecs_cluster"),
        (c) =>
          !list(c.body.setting).some(
            (s) => field(s, "name") === "containerInsights" && isOneOf(field(s, "value"), ["enabled", "enhanced"]),
          ) && "Container Insights off",
      ),
  },
  {
    ids: ["ECS.20"],
    resourceType: "aws_ecs_task_definition",
    title: "Containers run as a non-root user",
    why: "A compromise of the process must not be root in the container.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) => {
        const user = show(container.user ?? "");
        return !user || /^(root|0)(:|$)/.test(user)
          ? [`${task.path}/${container.name}: user ${user || "not set"}`]
          : [];
      }),
  },
  {
    ids: ["CUSTOM.ECS_ROLES"],
    resourceType: "aws_ecs_task_definition",
    title: "Execution role differs from task role",
    why: "ECS's permissions (pull images, write logs) must not be the application's.",
    check: (input) =>
      each(resources(input.main, "aws_ecs_task_definition"), (t) =>
        !t.body.task_role_arn || !t.body.execution_role_arn
          ? "missing a role"
          : t.body.task_role_arn === t.body.execution_role_arn && "same role for both",
      ),
  },
];

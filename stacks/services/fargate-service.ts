import { Construct } from "constructs";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EcsService, type EcsServiceLoadBalancerAdvancedConfiguration } from "@cdktf/provider-aws/lib/ecs-service";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { ServiceRollout } from "./deployment-strategy.js";
import { ServiceRole, type PolicyStatement } from "../shared/iam.js";
import { logGroup, type LogSettings } from "../shared/log-group.js";
import { allowHop, securityGroup } from "../network/security-groups.js";
import { allowAwsApiEgress } from "./task-egress.js";
import type { AwsApiEgress } from "../network/vpc-endpoints.js";
import { COLLECTOR_CONTAINER, type TraceExport } from "./trace-export.js";

/** The slice of an ECR repository a service needs: pass the repository object, not a hand-built ARN. */
export interface ImageRepository {
  readonly arn: string;
  readonly repositoryUrl: string;
}

export interface LoadBalancerTarget {
  readonly targetGroup: LbTargetGroup;
  /** The listener forwarding to the group: ECS rejects a target group that no load balancer uses yet. */
  readonly listener: LbListener;
  /** The load balancer's security group: the only source admitted to the container port. */
  readonly sourceSecurityGroup: SecurityGroup;
  /** Where ECS shifts traffic itself (`ApiTrafficShift`): the alternate group, production rule and role. @default none */
  readonly advancedConfiguration?: EcsServiceLoadBalancerAdvancedConfiguration;
}

export interface FargateServiceProps {
  /** Resource name prefix, e.g. `orders-prod`. */
  readonly prefix: string;
  /** Prefix of the IAM role names, which are account-global: e.g. `orders-prod-eu-west-1`. */
  readonly globalPrefix: string;
  /** Service and container name, e.g. `api`. */
  readonly name: string;
  readonly cluster: EcsCluster;
  readonly repository: ImageRepository;
  readonly imageTag: string;
  readonly cpu: number;
  readonly memory: number;
  readonly cpuArchitecture: "X86_64" | "ARM64";
  readonly desiredCount: number;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly region: string;
  readonly accountId: string;
  /** Plain (non-secret) environment variables the service reads. */
  readonly environment: Readonly<Record<string, string>>;
  /** What the application may do, scoped to exact ARNs (the task role). */
  readonly taskPolicy: readonly PolicyStatement[];
  readonly logs: LogSettings;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly stopTimeoutSeconds: number;
  /** Port the container listens on. @default no port (a worker) */
  readonly containerPort?: number;
  /** Register tasks in this target group, admitting traffic from its load balancer only. @default none */
  readonly loadBalancer?: LoadBalancerTarget;
  /** Container health check command (exec form). @default none */
  readonly healthCheckCommand?: readonly string[];
  /** Let autoscaling own the task count after creation. @default false */
  readonly autoscaled?: boolean;
  /** Make each deploy wait until the service's rollout has finished (what depends on the service waits too). @default false */
  readonly waitForSteadyState?: boolean;
  /** Send HTTPS for AWS APIs only to these VPC endpoints. @default anywhere on 443 (0.0.0.0/0, through NAT) */
  readonly awsApiEgress?: AwsApiEgress;
  /** Deployment strategy and the alarms that roll it back. @default ECS's rolling update, circuit breaker only */
  readonly rollout?: ServiceRollout;
  /** The trace collector beside the container, its variables and permissions (trace-export.ts). @default no tracing */
  readonly traceExport?: TraceExport;
}
/** The `node` user of the official Node.js images, by number so no passwd lookup is needed. */
const NON_ROOT_USER = "1000:1000";

/**
 * One ECS Fargate service: task definition (non-root, read-only root filesystem, init process), a task role for
 * the application and a separate execution role for ECS, a log group, a security group, and the service with the
 * deployment circuit breaker. Tasks run in private subnets without public IPs.
 */
export class FargateService extends Construct {
  readonly service: EcsService;
  readonly securityGroup: SecurityGroup;
  readonly taskRole: ServiceRole;
  readonly executionRole: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    if (props.loadBalancer && !props.containerPort)
      throw new Error(`${props.name}: a load balancer target needs a containerPort`);
    const fullName = `${props.prefix}-${props.name}`;
    const logs = (this.logGroup = logGroup(this, "logs", `/ecs/${props.prefix}/${props.name}`, props.logs));

    this.executionRole = new ServiceRole(this, "execution-role", {
      name: `${props.globalPrefix}-${props.name}-execution`,
      servicePrincipal: "ecs-tasks.amazonaws.com",
      sourceAccount: props.accountId,
      statements: [
        // AWS defines no resource for GetAuthorizationToken: "*" is the only value it accepts.
        { sid: "EcrLogin", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        {
          sid: "PullImage",
          actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          resources: [props.repository.arn],
        },
        { sid: "WriteLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logs.arn}:*`] },
        ...(props.traceExport?.executionStatements ?? []),
      ],
    });
    this.taskRole = new ServiceRole(this, "task-role", {
      name: `${props.globalPrefix}-${props.name}-task`,
      servicePrincipal: "ecs-tasks.amazonaws.com",
      sourceAccount: props.accountId,
      statements: [...props.taskPolicy, ...(props.traceExport?.taskStatements ?? [])],
    });

    const taskDefinition = new EcsTaskDefinition(this, "task", {
      family: fullName,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.cpuArchitecture },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: JSON.stringify([
        containerDefinition(props, logs.name),
        ...(props.traceExport ? [props.traceExport.sidecar(logs.name)] : []),
      ]),
      // IAM is eventually consistent and the roles' inline policies are separate resources: without these, a first
      // deploy can start tasks before they may pull the image or write logs (CannotPullContainerError).
      dependsOn: [this.executionRole.policy, this.taskRole.policy],
    });

    this.securityGroup = securityGroup(this, "sg", fullName, props.vpcId, `${fullName} tasks`);
    allowAwsApiEgress(this, this.securityGroup, props.name, props.awsApiEgress);
    if (props.loadBalancer) {
      allowHop(this, "from-load-balancer", {
        from: props.loadBalancer.sourceSecurityGroup,
        to: this.securityGroup,
        port: props.containerPort!,
        description: `Load balancer to ${props.name} containers`,
      });
    }

    this.service = new EcsService(this, "service", {
      name: props.name,
      cluster: props.cluster.arn,
      taskDefinition: taskDefinition.arn,
      desiredCount: props.desiredCount,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: [this.securityGroup.id],
        assignPublicIp: false,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      enableExecuteCommand: false,
      ...(props.waitForSteadyState ? { waitForSteadyState: true } : {}),
      ...props.rollout,
      ...(props.loadBalancer
        ? {
            loadBalancer: [
              {
                targetGroupArn: props.loadBalancer.targetGroup.arn,
                containerName: props.name,
                containerPort: props.containerPort!,
                ...(props.loadBalancer.advancedConfiguration
                  ? { advancedConfiguration: props.loadBalancer.advancedConfiguration }
                  : {}),
              },
            ],
            healthCheckGracePeriodSeconds: 30,
          }
        : {}),
      dependsOn: [
        this.executionRole.policy,
        this.taskRole.policy,
        ...(props.loadBalancer ? [props.loadBalancer.listener] : []),
      ],
      // With autoscaling on, the scaler owns the count; a re-apply must not reset it.
      ...(props.autoscaled ? { lifecycle: { ignoreChanges: ["desired_count"] } } : {}),
    });
  }
}

function containerDefinition(props: FargateServiceProps, logGroupName: string) {
  return {
    name: props.name,
    image: `${props.repository.repositoryUrl}:${props.imageTag}`,
    essential: true,
    user: NON_ROOT_USER,
    readonlyRootFilesystem: true,
    privileged: false,
    stopTimeout: props.stopTimeoutSeconds,
    linuxParameters: { initProcessEnabled: true },
    // ECS stops containers in the reverse order of their dependencies: the app stops first, so the spans it flushes
    // on SIGTERM still reach the collector.
    ...(props.traceExport ? { dependsOn: [{ containerName: COLLECTOR_CONTAINER, condition: "START" }] } : {}),
    portMappings: props.containerPort ? [{ containerPort: props.containerPort, protocol: "tcp" }] : [],
    environment: Object.entries({ ...props.environment, ...props.traceExport?.environment })
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
    ...(props.healthCheckCommand
      ? {
          healthCheck: {
            command: [...props.healthCheckCommand],
            interval: 30,
            timeout: 5,
            retries: 3,
            startPeriod: 15,
          },
        }
      : {}),
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": logGroupName, "awslogs-region": props.region, "awslogs-stream-prefix": props.name },
    },
  };
}

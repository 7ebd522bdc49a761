import { join } from "node:path";
import { freePort } from "./free-port.js";
import { localReferences, startEmulators } from "./emulators.js";
import { keysByApi, randomKeyValues, type KeyValueSource, type LocalApiKey } from "./gateway/api-keys.js";
import { buildRestApiModels } from "./gateway/api-model.js";
import { connectHost, startGateway, type LocalGateway } from "./gateway/server.js";
import { sqsOnly } from "./gateway/integrations.js";
import { startLocalAccess, type LocalAccess } from "./access-setup.js";
import { startSqsQueryAdapter } from "./gateway/sqs-query-adapter.js";
import { createQueues, createTables, LOCAL_CREDENTIALS, type CreatedQueue } from "./resources.js";
import { serviceSpecs, startService, type RunningService, type ServiceSpec } from "./services.js";
import { synthesizeMainStack } from "./synth.js";
import type { TfJson } from "../tfjson/index.js";
import type { Config } from "../config/schema.js";
import { providerRegion, resolvableOutputs, stageOfOutput } from "./stack-outputs.js";
import { REPO_ROOT } from "../kit/repo-root.js";
import { startTraceReceiver, type TraceReceiver } from "./tracing/receiver.js";
import { localServiceEnvironment } from "./service-environment.js";

/**
 * The whole architecture on one machine, driven by the synthesized `main` stack:
 * synth -> emulators (fauxqs, DynamoDB Local) -> the synth's queues and table -> the synth's ECS services as local
 * processes -> one local API Gateway per aws_api_gateway_rest_api, interpreting its resources, methods, models,
 * templates and gateway responses. Used by `npm run local` (local/main.ts), the e2e test and the benchmark.
 */
export interface LocalStackOptions {
  /** The parsed `main` stack to run. @default synthesize `tfvarsFile` in-process into `<workDir>/cdktf.out` */
  readonly synth?: TfJson;
  /** Var file to synthesize when neither `synth` nor `config` is given. @default terraform.tfvars.json */
  readonly tfvarsFile?: string;
  /** Validated config to synthesize when `synth` is not given (npm run local loads it to print its warnings). */
  readonly config?: Config;
  /** Where the in-process synth is written. @default .local */
  readonly workDir?: string;
  /**
   * IPv4 address the gateways and the services bind (the services get it as LISTEN_HOST); `0.0.0.0` opens them to
   * the network. @default 127.0.0.1
   */
  readonly listenHost?: string;
  /** Ports of the two gateways. @default free ports */
  readonly ingestPort?: number;
  readonly queryPort?: number;
  /**
   * Use these already running emulators (e.g. the test suite's shared ones) instead of starting fauxqs and
   * DynamoDB Local; they are not stopped by `stop()`. @default start both
   */
  readonly emulators?: { readonly sqsEndpoint: string; readonly dynamoEndpoint: string };
  /** Keep DynamoDB Local's data in this directory across runs. @default in memory (lost on stop) */
  readonly dataDir?: string;
  /** Append each service's output to `<logDir>/<service>.log`. @default last lines kept in memory, shown on failure */
  readonly logDir?: string;
  /** LOG_LEVEL of the services. @default the task definitions' value */
  readonly logLevel?: string;
  /**
   * TEST ONLY: visibility timeout (seconds) of the created queues and the processor's VISIBILITY_TIMEOUT_SECONDS,
   * instead of the synth's (2 x max_batch_seconds, at least 10 s). Makes a poison message reach the DLQ in seconds.
   * @default the synth's value
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Value of API keys the synth leaves to AWS to generate. @default a random `local-...` key per start */
  readonly apiKeyValue?: string;
  /** Called when a service process dies while the stack runs (it is not restarted). @default none */
  readonly onServiceExit?: (
    service: string,
    code: number | null,
    signal: string | null,
    recentOutput: string[],
  ) => void;
  /** The `node` binary the services run on (the tests pass the images' Node). @default this process's */
  readonly node?: string;
  /** Receives one line per gateway request: the stage's synthesized access log format, rendered. @default none */
  readonly accessLog?: (api: string, line: string) => void;
}

export interface LocalStack {
  /** Base URL of the ingest API's stage, e.g. `http://127.0.0.1:4010/v1` (POST `<ingestUrl>/requests`). */
  readonly ingestUrl: string;
  /** Base URL of the query API's stage (GET `<queryUrl>/requests/<id>`). */
  readonly queryUrl: string;
  /** A key that opens both APIs, to send as `x-api-key`; undefined when the synth requires none or none opens both. */
  readonly apiKey: string | undefined;
  /** Every API key (one per client), with the stages' APIs it opens. */
  readonly apiKeys: readonly LocalApiKey[];
  /** The local IAM principals, Cognito app clients and token endpoint, and the usage meter. */
  readonly access: LocalAccess;
  /** The synth's outputs that have a local value (queue_url, table_name, ingest_api_url...). */
  readonly outputs: Readonly<Record<string, string>>;
  readonly gateways: readonly LocalGateway[];
  readonly queues: readonly CreatedQueue[];
  readonly sqsEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly region: string;
  readonly services: readonly RunningService[];
  /** Each service's own server (api: traffic, processor: health), e.g. `{ api: "http://127.0.0.1:41234" }`. */
  readonly serviceOrigins: Readonly<Record<string, string>>;
  /** The OTLP receiver the services send their spans to; `GET <url>/traces/<request id>` shows a waterfall. */
  readonly traces: TraceReceiver;
  /** Stops gateways, then the services (SIGTERM, they drain), then the emulators. Safe to call twice. */
  stop(): Promise<void>;
}

interface StartedService {
  readonly spec: ServiceSpec;
  readonly service: RunningService;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/** Which environment variable is each service's listening port, and the path that says it is up. */
const SERVICE_PORTS: Readonly<Record<string, { variable: string; readyPath: string }>> = {
  api: { variable: "PORT", readyPath: "/health" },
  processor: { variable: "HEALTH_PORT", readyPath: "/health" },
};

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const workDir = options.workDir ?? join(REPO_ROOT, ".local");
  const doc =
    options.synth ??
    synthesizeMainStack({ tfvarsFile: options.tfvarsFile, config: options.config, outdir: join(workDir, "cdktf.out") });
  const region = providerRegion(doc);
  const host = options.listenHost ?? "127.0.0.1";
  const refs = localReferences(doc);

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    // Reverse start order: gateways, services, adapter, emulators.
    while (stoppers.length > 0) await stoppers.pop()!().catch(() => undefined);
  };
  // The API definitions first: a feature the local gateway does not implement fails here, before anything starts.
  const keyValues: KeyValueSource = options.apiKeyValue ? () => options.apiKeyValue! : randomKeyValues();
  const apis = buildRestApiModels(doc, refs, keyValues);
  try {
    const emulators = options.emulators ?? (await startEmulators({ region, dataDir: options.dataDir }));
    if (!options.emulators) stoppers.push(() => (emulators as Awaited<ReturnType<typeof startEmulators>>).stop());
    const queues = await createQueues(doc, refs, {
      endpoint: emulators.sqsEndpoint,
      region,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    });
    await createTables(doc, refs, { endpoint: emulators.dynamoEndpoint, region });

    const adapter = await startSqsQueryAdapter({
      sqsEndpoint: emulators.sqsEndpoint,
      region,
      credentials: LOCAL_CREDENTIALS,
    });
    stoppers.push(() => adapter.close());
    const access = await startLocalAccess(apis, host);
    stoppers.push(() => access.stop());
    const traces = await startTraceReceiver();
    stoppers.push(() => traces.close());

    const specs = serviceSpecs(doc, refs);
    // Settled, not Promise.all: a service that did start must be in `stoppers` before a failure is rethrown.
    const started = await Promise.allSettled(
      specs.map(async (spec): Promise<StartedService> => {
        const ports = SERVICE_PORTS[spec.name];
        if (!ports)
          throw new Error(
            `local: no local port mapping for service "${spec.name}" (add it to SERVICE_PORTS in local/stack.ts)`,
          );
        const port = await freePort();
        const service = await startService({
          name: spec.name,
          repoRoot: REPO_ROOT,
          node: options.node,
          readyUrl: `http://${connectHost(host)}:${port}${ports.readyPath}`,
          logDir: options.logDir,
          onUnexpectedExit: options.onServiceExit,
          environment: localServiceEnvironment(spec.environment, {
            ...options,
            port: [ports.variable, port],
            host,
            region,
            emulators,
            traces,
          }),
        });
        return { spec, service, origin: `http://${connectHost(host)}:${port}` };
      }),
    );
    const services = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    // Stopped in reverse: the processor (stops receiving, finishes its batch) before the api behind the load balancer.
    for (const { service } of [...services].sort(
      (a, b) => Number(b.spec.behindLoadBalancer) - Number(a.spec.behindLoadBalancer),
    )) {
      stoppers.push(() => service.stop());
    }
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const behindVpcLink = services.filter((s) => s.spec.behindLoadBalancer);
    if (behindVpcLink.length > 1)
      throw new Error(
        "local: several ECS services sit behind load balancers; the local VPC link cannot tell which one to reach",
      );

    const ingestStage = stageOfOutput(doc, "ingest_api_url");
    const queryStage = stageOfOutput(doc, "query_api_url");
    const gateways: LocalGateway[] = [];
    for (const api of apis) {
      const port =
        api.stageResource === ingestStage
          ? options.ingestPort
          : api.stageResource === queryStage
            ? options.queryPort
            : undefined;
      const gateway = await startGateway(api, {
        port,
        host,
        targets: {
          awsEndpoint: sqsOnly(adapter.url, region),
          vpcLinkOrigin: behindVpcLink[0]?.origin,
        },
        access,
        accessLog: options.accessLog ? (line) => options.accessLog!(api.name, line) : undefined,
      });
      stoppers.push(() => gateway.close());
      gateways.push(gateway);
      refs.set(`aws_api_gateway_stage.${api.stageResource}.invoke_url`, gateway.url);
    }

    const ingest = gateways.find((g) => g.api.stageResource === ingestStage);
    const query = gateways.find((g) => g.api.stageResource === queryStage);
    if (!ingest || !query)
      throw new Error("local: the synth's ingest_api_url/query_api_url outputs do not name a stage of a REST API");
    const apiKeys = keysByApi({ ingest: ingest.api.apiKeys, query: query.api.apiKeys });

    let stopped: Promise<void> | undefined;
    return {
      ingestUrl: ingest.url,
      queryUrl: query.url,
      apiKey: apiKeys.find((key) => key.apis.length === 2)?.value,
      apiKeys,
      access,
      outputs: resolvableOutputs(doc, refs),
      gateways,
      queues,
      sqsEndpoint: emulators.sqsEndpoint,
      dynamoEndpoint: emulators.dynamoEndpoint,
      region,
      services: services.map((s) => s.service),
      serviceOrigins: Object.fromEntries(services.map((s) => [s.spec.name, s.origin])),
      traces,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

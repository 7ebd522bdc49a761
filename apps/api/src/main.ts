import { answerArguments, runMain } from "../../shared/src/env.js";
import { handleLifecycle } from "../../shared/src/lifecycle.js";
import { createLogger } from "../../shared/src/logger.js";
import { startTracing } from "../../shared/src/tracing.js";
import { traceRequests } from "../../shared/src/tracing-spans.js";
import { buildApp } from "./app.js";
import { ApiEnvSchema, loadApiConfig } from "./config.js";
import { RequestsTable, createDynamoClient } from "./requests-table.js";
import { createHttpServer, listen, shutdownGracefully } from "./server.js";

/** Entry point: validate the environment, wire the clients, listen, and drain on SIGTERM/SIGINT. */
async function start(): Promise<void> {
  const config = loadApiConfig();
  const tracing = startTracing({ service: "api", config: config.tracing });
  const logger = createLogger("api", config.logLevel);
  const client = createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  let shuttingDown = false;
  const app = buildApp({
    requests: new RequestsTable(client, config.tableName, {
      ttlAttribute: config.ttlAttribute,
      readConsistency: config.readConsistency,
    }),
    logger,
    isShuttingDown: () => shuttingDown,
    pathPrefix: config.pathPrefix,
    requestLogSampleRate: config.requestLogSampleRate,
  });
  const server = createHttpServer(traceRequests(app), logger);
  const address = await listen(server, config.port, config.listenHost);
  logger.info(
    {
      host: address.address,
      port: address.port,
      tableName: config.tableName,
      dynamoEndpoint: config.dynamoEndpoint ?? "aws",
    },
    "listening",
  );

  handleLifecycle({
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    stop: async () => {
      shuttingDown = true;
      logger.info({ timeoutMs: config.shutdownTimeoutMs }, "shutting down: draining in-flight requests");
      const outcome = await shutdownGracefully(server, config.shutdownTimeoutMs);
      client.destroy();
      await tracing.shutdown();
      logger.info({ outcome }, "stopped");
      return outcome === "drained" ? 0 : 1;
    },
  });
}

answerArguments("api", Object.keys(ApiEnvSchema.shape));
runMain(start).catch((error: unknown) => {
  // Not a config error (runMain handles those): e.g. the port is taken. One JSON line, then a non-zero exit.
  process.stderr.write(
    `${JSON.stringify({ level: "fatal", service: "api", msg: "failed to start", err: String(error) })}\n`,
  );
  process.exit(1);
});

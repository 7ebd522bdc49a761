import { createLogger } from "../../shared/src/logger.js";
import { runMain } from "../../shared/src/env.js";
import { loadConfig } from "./config.js";
import { createProcessor } from "./consumer.js";
import { startHealthServer } from "./health.js";
import { createMessageQueue, createSqsClient } from "./queue.js";
import { createDynamoClient, createItemStore } from "./store.js";

/** Entry point: validate the environment, build the clients, start polling and the health server, handle signals. */
async function start(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger("processor", config.logLevel);

  const sqs = createSqsClient({ region: config.region, endpoint: config.sqsEndpoint, waitTimeSeconds: config.waitTimeSeconds });
  const dynamo = createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const processor = createProcessor({
    queue: createMessageQueue(sqs, config),
    store: createItemStore(dynamo, config.tableName),
    logger,
    settings: config,
  });
  const health = await startHealthServer({
    port: config.healthPort,
    stallMs: config.healthStallSeconds * 1_000,
    liveness: processor.liveness,
  });

  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    // A second signal (an impatient operator, a runtime resending SIGTERM) must not cut the drain short.
    if (shuttingDown) {
      logger.info({ signal }, "shutdown already in progress; signal ignored");
      return;
    }
    shuttingDown = true;
    logger.info({ signal, shutdownTimeoutSeconds: config.shutdownTimeoutSeconds }, "shutdown requested");
    // Last resort: the processor releases work before its budget ends, so this only fires on a bug.
    setTimeout(() => {
      logger.error("shutdown exceeded its budget; exiting anyway (in-flight messages return after their visibility timeout)");
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1_000).unref();
    await processor.stop();
    await health.close();
    sqs.destroy();
    dynamo.destroy();
    logger.info("shutdown complete");
    process.exit(0);
  };
  // `on`, not `once`: after a once-listener fires, a second signal gets Node's default handler and kills the drain.
  process.on("SIGTERM", (s) => void shutdown(s));
  process.on("SIGINT", (s) => void shutdown(s));

  processor.start();
  logger.info(
    {
      queueUrl: config.queueUrl,
      tableName: config.tableName,
      healthPort: health.port,
      pollConcurrency: config.pollConcurrency,
      batchSize: config.batchSize,
      waitTimeSeconds: config.waitTimeSeconds,
      visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    },
    "processor started",
  );
}

void runMain(start);

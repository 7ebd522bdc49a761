import { createLogger } from "../../shared/src/logger.js";
import { startTracing } from "../../shared/src/tracing.js";
import { answerArguments, runMain } from "../../shared/src/env.js";
import { handleLifecycle } from "../../shared/src/lifecycle.js";
import { loadProcessorConfig, PROCESSOR_ENV_VARIABLES } from "./config.js";
import { createProcessor } from "./consumer.js";
import { startHealthServer } from "./health.js";
import { createMessageQueue, createSqsClient } from "./queue.js";
import { createDocumentClient, createItemStore } from "./store.js";

/** Entry point: validate the environment, build the clients, start polling and the health server, handle signals. */
async function start(): Promise<void> {
  const config = loadProcessorConfig(process.env);
  const tracing = startTracing({ service: "processor", config: config.tracing });
  const logger = createLogger("processor", config.logLevel);

  const sqs = createSqsClient({
    region: config.region,
    endpoint: config.sqsEndpoint,
    waitTimeSeconds: config.waitTimeSeconds,
  });
  const dynamo = createDocumentClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const processor = createProcessor({
    queue: createMessageQueue(sqs, config),
    store: createItemStore(dynamo, config.tableName, config.resultExpiry),
    logger,
    settings: config,
  });
  const health = await startHealthServer({
    port: config.healthPort,
    host: config.listenHost,
    stallMs: config.healthStallSeconds * 1_000,
    liveness: () => processor.liveness(),
  });

  handleLifecycle({
    logger,
    // The processor releases unfinished work before its budget ends, so the last-resort exit only fires on a bug
    // (in-flight messages then return after their visibility timeout).
    shutdownTimeoutMs: config.shutdownTimeoutSeconds * 1_000,
    stop: async () => {
      await processor.stop();
      await health.close();
      sqs.destroy();
      dynamo.destroy();
      await tracing.shutdown();
      logger.info("shutdown complete");
      return 0;
    },
  });

  processor.start();
  logger.info(
    {
      queueUrl: config.queueUrl,
      tableName: config.tableName,
      healthHost: health.host,
      healthPort: health.port,
      pollConcurrency: config.pollConcurrency,
      batchSize: config.batchSize,
      waitTimeSeconds: config.waitTimeSeconds,
      visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    },
    "processor started",
  );
}

answerArguments("processor", PROCESSOR_ENV_VARIABLES);
void runMain(start);

import { runMain } from "../../shared/src/env.js";
import { createLogger } from "../../shared/src/logger.js";
import { buildApp } from "./app.js";
import { loadConfig } from "./config.js";
import { RequestsTable, createDynamoClient } from "./requests-table.js";
import { createHttpServer, listen, shutdownGracefully } from "./server.js";

/** Entry point: validate the environment, wire the clients, listen, and drain on SIGTERM/SIGINT. */
async function start(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger("api", config.logLevel);
  // A bug that escapes every handler: one structured fatal line (not a bare stack on stderr), then exit non-zero
  // so ECS replaces the task instead of leaving it running in an unknown state.
  const die = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on("uncaughtException", die("uncaught exception"));
  process.on("unhandledRejection", die("unhandled rejection"));
  const client = createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  let shuttingDown = false;
  const app = buildApp({
    requests: new RequestsTable(client, config.tableName),
    logger,
    isShuttingDown: () => shuttingDown,
    pathPrefix: config.pathPrefix,
  });
  const server = createHttpServer(app, logger);
  const address = await listen(server, config.port);
  logger.info({ port: address.port, tableName: config.tableName, dynamoEndpoint: config.dynamoEndpoint ?? "aws" }, "listening");

  const stop = async (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, "shutting down: draining in-flight requests");
    const outcome = await shutdownGracefully(server, config.shutdownTimeoutMs);
    client.destroy();
    logger.info({ outcome }, "stopped");
    // pino writes synchronously to stdout, so nothing is lost by exiting now; a timer left by a dependency
    // must not keep the task alive until ECS's SIGKILL.
    process.exit(outcome === "drained" ? 0 : 1);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

runMain(start).catch((error: unknown) => {
  // Not a config error (runMain handles those): e.g. the port is taken. One JSON line, then a non-zero exit.
  process.stderr.write(`${JSON.stringify({ level: "fatal", service: "api", msg: "failed to start", err: String(error) })}\n`);
  process.exit(1);
});

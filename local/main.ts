import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createServer, isIPv4 } from "node:net";
import { ConfigError, loadDeployConfigOrExit } from "../config/load.js";
import { commandLineOrExit, usage, type CommandSpec } from "../kit/cli.js";
import { REPO_ROOT } from "../kit/repo-root.js";
import type { LocalStack } from "./stack.js";
import { accessLines, credentialArgs } from "./access-setup.js";

/**
 * `npm run local`: the whole architecture on this machine, no AWS account. Synthesizes the stacks in-process,
 * starts the emulators, the services and the two local API Gateways, prints how to call them, and stops
 * everything on Ctrl-C. See docs/LOCAL.md.
 */
const LOCAL_COMMAND: CommandSpec = {
  command: "npm run local",
  summary:
    "The whole architecture on this machine, no AWS account: emulators, both services and the two API Gateways (docs/LOCAL.md).",
  varFile: true,
  options: {
    "ingest-port": { type: "string", default: "4010" },
    "query-port": { type: "string", default: "4011" },
    host: { type: "string", default: "127.0.0.1" },
    persist: { type: "boolean", default: false },
    "log-level": { type: "string" },
  },
  optionLines: [
    ["--ingest-port <n>", "port of the ingest API (default 4010; 0 = any free port)"],
    ["--query-port <n>", "port of the query API (default 4011; 0 = any free port)"],
    ["--host <ipv4>", "address the gateways and services bind (default 127.0.0.1; 0.0.0.0 = every interface)"],
    ["--persist", "keep DynamoDB data in .local/dynamodb across runs (default: in memory)"],
    ["--log-level <lvl>", "services' LOG_LEVEL (default: the task definitions' value); logs go to .local/logs/"],
  ],
};

/** Signals closer together than this come from one keypress (see shutdown). */
const SAME_KEYPRESS_MS = 1_000;

async function main(): Promise<void> {
  const { values, varFile } = commandLineOrExit(LOCAL_COMMAND);
  const host = String(values.host);
  if (!isIPv4(host))
    usageError(`--host must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got ${JSON.stringify(host)}`);
  const workDir = join(REPO_ROOT, ".local");
  const logDir = join(workDir, "logs");
  const dataDir = values.persist ? join(workDir, "dynamodb") : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  // One line per request in each stage's synthesized access log format, like its CloudWatch access log group.
  const accessLogs = new Map<string, WriteStream>();
  const accessLog = (api: string, line: string) => {
    let stream = accessLogs.get(api);
    if (!stream) accessLogs.set(api, (stream = createWriteStream(join(logDir, `${api}.access.log`), { flags: "a" })));
    stream.write(`${line}\n`);
  };

  const ingestPort = port(String(values["ingest-port"]), "--ingest-port");
  const queryPort = port(String(values["query-port"]), "--query-port");
  // Fail in a second, not after the emulators and services have started.
  for (const [p, flag] of [
    [ingestPort, "--ingest-port"],
    [queryPort, "--query-port"],
  ] as const) {
    if (p !== undefined && !(await isFree(p, host))) {
      process.stderr.write(
        `Port ${p} is in use (another npm run local?). Pick another with ${flag} (0 = any free port).\n`,
      );
      process.exit(1);
    }
  }

  process.stdout.write(
    "Synthesizing the stacks and starting the local architecture (DynamoDB Local takes a few seconds)...\n",
  );
  let stack: LocalStack;
  let stopping = false;
  try {
    // Loaded after the command line is checked: the synth's modules take seconds, --help should not.
    const { startLocalStack } = await import("./stack.js");
    stack = await startLocalStack({
      config: loadDeployConfigOrExit(varFile.path),
      listenHost: host,
      workDir,
      ingestPort,
      queryPort,
      dataDir,
      logDir,
      logLevel: values["log-level"] as string | undefined,
      accessLog,
      onServiceExit: (service, code, signal, output) => {
        if (stopping) return;
        process.stderr.write(
          `\n${service} exited unexpectedly (${code ?? signal}); requests that need it will fail. Last output:\n${output.slice(-10).join("\n")}\nFull log: ${join(logDir, `${service}.log`)}. Restart npm run local once fixed.\n`,
        );
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      process.stderr.write(
        `A port is in use: ${(error as Error).message}. Pick others with --ingest-port/--query-port (0 = any).\n`,
      );
      process.exit(1);
    }
    throw error;
  }

  const key = stack.apiKey;
  const header = `${key ? ` -H 'x-api-key: ${key}'` : ""}${credentialArgs(stack.access, stack.region)}`;
  process.stdout.write(
    [
      "",
      `Ingest API: ${stack.ingestUrl}   (POST /requests)`,
      `Query API:  ${stack.queryUrl}   (GET /requests/{requestId}, GET /health)`,
      ...(stack.apiKeys.length > 0
        ? stack.apiKeys.map(
            (k) =>
              `API key:    ${k.value}   (${k.name}: ${k.apis.join(" and ")} API; send it as x-api-key; generated for this run)`,
          )
        : ["API key:    none required by this configuration"]),
      ...accessLines(stack.access, stack.region),
      "",
      "Try it:",
      `  curl -s -X POST ${stack.ingestUrl}/requests -H 'content-type: application/json'${header} -d '{"hello":"world"}'`,
      `  curl -s ${stack.queryUrl}/requests/<requestId from the answer>${header}`,
      "",
      `Queue:      ${stack.outputs.queue_url ?? "?"} (SQS endpoint ${stack.sqsEndpoint})`,
      `DLQ:        ${stack.outputs.dead_letter_queue_url ?? "?"}`,
      `Table:      ${stack.outputs.table_name ?? "?"} (DynamoDB endpoint ${stack.dynamoEndpoint}, ${dataDir ? `data in ${dataDir}` : "in memory"})`,
      `Traces:     curl -s ${stack.traces.url}/traces/<requestId>   (a waterfall of each trace naming that id)`,
      `Logs:       ${logDir}/: api.log, processor.log, <api name>.access.log; synthesized JSON in ${join(workDir, "cdktf.out")}`,
      "",
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );

  // One Ctrl-C reaches this process more than once: the terminal signals the whole process group, and the npm and
  // tsx wrappers in it relay the same signal. So only a signal later than SAME_KEYPRESS_MS counts as a second one.
  let firstSignalAt = 0;
  const shutdown = async (signal: string) => {
    if (stopping) {
      if (Date.now() - firstSignalAt < SAME_KEYPRESS_MS) return;
      process.stderr.write("Second signal: exiting without waiting for a clean stop.\n");
      process.exit(130);
    }
    stopping = true;
    firstSignalAt = Date.now();
    process.stdout.write(`\n${signal}: stopping gateways, services and emulators...\n`);
    await stack.stop();
    for (const stream of accessLogs.values()) stream.end();
    process.stdout.write("Stopped.\n");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // A closed terminal: without this the services (own process groups) would outlive the session.
  process.on("SIGHUP", () => void shutdown("SIGHUP"));
}

function usageError(problem: string): never {
  process.stderr.write(`npm run local: ${problem}\n\n${usage(LOCAL_COMMAND)}`);
  process.exit(2);
}

function port(value: string, flag: string): number | undefined {
  if (!/^\d+$/.test(value) || Number(value) > 65_535)
    usageError(`${flag} must be a port number (0-65535), got ${JSON.stringify(value)}`);
  return Number(value) === 0 ? undefined : Number(value);
}

function isFree(portNumber: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(portNumber, host, () => probe.close(() => resolve(true)));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run local failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

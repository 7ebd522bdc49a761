import { startFauxqs } from "fauxqs";

/** fauxqs: an in-memory SQS emulator running inside this process on a free loopback port. */
export interface SqsLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startSqsLocal(): Promise<SqsLocal> {
  const server = await startFauxqs({ port: 0, host: "localhost", logger: false });
  return { endpoint: server.address, stop: () => server.stop() };
}

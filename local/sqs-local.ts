import { startFauxqs } from "fauxqs";

/**
 * fauxqs: an in-memory SQS emulator running inside this process on a free loopback port. Its queue URLs are
 * `http://sqs.<region>.localhost:<port>/<account>/<name>`; clients use `endpoint` explicitly (this machine's resolver
 * does not map `*.localhost`: local/localhost-dns.ts is preloaded where a client follows queue URLs).
 */
export interface SqsLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface SqsLocalOptions {
  /** Region in the queue URLs and ARNs it hands out. @default fauxqs's default (us-east-1) */
  readonly region?: string;
}

export async function startSqsLocal(options: SqsLocalOptions = {}): Promise<SqsLocal> {
  const server = await startFauxqs({
    port: 0,
    host: "localhost",
    logger: false,
    ...(options.region ? { defaultRegion: options.region } : {}),
  });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

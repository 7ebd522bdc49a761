/**
 * The load bench:local puts on the local stack: POSTs at a steady open-loop rate, each followed by GETs through the
 * query gateway until the item is readable.
 */
import { performance } from "node:perf_hooks";
import { benchBody } from "../../cost/payload.js";
import { httpRequest } from "../../local/gateway/http-client.js";
import { sigv4Headers, type Credentials } from "../../kit/sigv4-client.js";

export interface LoadSettings {
  readonly ingestUrl: string;
  readonly queryUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Sign every request (SigV4) with these, for APIs in the `iam` mode. @default unsigned */
  readonly signing?: { readonly region: string; readonly credentials: Credentials };
  /** POSTs per second. */
  readonly rate: number;
  readonly pollMs: number;
  /** Give up on one item after this long. */
  readonly readTimeoutMs: number;
}

export interface Failures {
  post: number;
  readonly postStatus: Map<string, number>;
  /** GET answers other than 200 and 404 (not yet stored), e.g. a 429 of the limits. */
  readonly getStatus: Map<string, number>;
  unreadable: number;
}

export interface Sample {
  /** ms from scheduled send to 202 (includes any client-side lag behind the schedule). */
  readonly acceptMs: number;
  /** ms from 202 to the first 200 from the query API; undefined when never readable within the read timeout. */
  readonly readableMs: number | undefined;
  readonly polls: number;
  /** ms of each GET through the query gateway (request sent -> response received). */
  readonly getMs: readonly number[];
  /** The item's processedAt - receivedAt (SQS SentTimestamp -> DynamoDB write, by the services' clocks). */
  readonly storedMs: number | undefined;
}

/** A load generator over `settings`; its failures are counted until `resetFailures()`. */
export function localLoad(settings: LoadSettings) {
  const { ingestUrl, queryUrl, headers, signing, rate, pollMs, readTimeoutMs } = settings;
  const failures: Failures = { post: 0, postStatus: new Map(), getStatus: new Map(), unreadable: 0 };
  const count = (counts: Map<string, number>, status: number, body: string) => {
    const key = `${status} ${body.slice(0, 120)}`.replace(/"requestId":"[^"]*"/, "");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  /** The headers of one request: the load's, plus its SigV4 signature when signing. */
  const headersFor = async (method: string, url: string, body?: string) => {
    if (!signing) return headers;
    const signed = await sigv4Headers(signing.credentials, signing.region, {
      method,
      url,
      headers: { ...headers },
      body,
    });
    delete signed.host;
    return signed;
  };

  async function one(seq: number, scheduledAt: number): Promise<Sample | undefined> {
    let response;
    try {
      // node:http keep-alive client (local/gateway/http-client.ts): fetch's CPU cost on Node 20 would skew the figures.
      const url = `${ingestUrl}/requests`;
      const body = benchBody(seq);
      response = await httpRequest(url, {
        method: "POST",
        headers: await headersFor("POST", url, body),
        body,
        timeoutMs: 60_000,
      });
    } catch {
      failures.post++;
      return undefined;
    }
    const acceptedAt = performance.now();
    if (response.status !== 202) {
      count(failures.postStatus, response.status, response.body);
      return undefined;
    }
    const { requestId } = JSON.parse(response.body) as { requestId: string };
    let polls = 0;
    const getMs: number[] = [];
    while (performance.now() - acceptedAt < readTimeoutMs) {
      polls++;
      const url = `${queryUrl}/requests/${requestId}`;
      const signed = await headersFor("GET", url);
      const sentAt = performance.now();
      const read = await httpRequest(url, { method: "GET", headers: signed, timeoutMs: 30_000 });
      getMs.push(performance.now() - sentAt);
      if (read.status !== 200 && read.status !== 404) count(failures.getStatus, read.status, read.body);
      if (read.status === 200) {
        const item = JSON.parse(read.body) as { receivedAt?: string; processedAt?: string };
        const storedMs =
          item.receivedAt && item.processedAt ? Date.parse(item.processedAt) - Date.parse(item.receivedAt) : undefined;
        return {
          acceptMs: acceptedAt - scheduledAt,
          readableMs: performance.now() - acceptedAt,
          polls,
          getMs,
          storedMs,
        };
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
    failures.unreadable++;
    return { acceptMs: acceptedAt - scheduledAt, readableMs: undefined, polls, getMs, storedMs: undefined };
  }

  /** Open loop: request i is sent at start + i/rate whatever happened to the earlier ones. */
  async function phase(
    seconds: number,
    firstSeq: number,
  ): Promise<{ samples: Sample[]; sent: number; wallMs: number }> {
    const total = Math.round(seconds * rate);
    const start = performance.now() + 20;
    const pending: Promise<Sample | undefined>[] = [];
    for (let i = 0; i < total; i++) {
      const at = start + (i * 1000) / rate;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(firstSeq + i, at));
    }
    const samples = (await Promise.all(pending)).filter((s): s is Sample => s !== undefined);
    return { samples, sent: total, wallMs: performance.now() - start };
  }

  function resetFailures(): void {
    failures.post = 0;
    failures.postStatus.clear();
    failures.getStatus.clear();
    failures.unreadable = 0;
  }

  return { phase, failures, resetFailures };
}

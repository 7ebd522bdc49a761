import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

/** A client that signs as the AWS SDK does (the SDK's own signer), for calling the local gateway's AWS_IAM methods (tests, bench:local). */

type Bytes = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Bytes) =>
  typeof data === "string"
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 / HMAC-SHA256 for the signer, over node:crypto. */
export class Sha256 {
  private readonly h;
  constructor(secret?: Bytes) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: Bytes) {
    this.h.update(bytes(data));
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset() {}
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The headers that sign `method url body` for execute-api in `region` at `date` (default now). */
export async function sigv4Headers(
  credentials: Credentials,
  region: string,
  request: { method: string; url: string; headers?: Record<string, string>; body?: string },
  date = new Date(),
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const signer = new SignatureV4({ credentials, region, service: "execute-api", sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...request.headers },
      body: request.body,
    },
    { signingDate: date },
  );
  return signed.headers;
}

/** fetch, signed with the credentials (and sent with the other headers given). */
export async function signedFetch(
  credentials: Credentials,
  region: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  date?: Date,
): Promise<Response> {
  const method = init.method ?? "GET";
  const headers = await sigv4Headers(
    credentials,
    region,
    { method, url, headers: init.headers, body: init.body },
    date,
  );
  delete headers.host;
  return fetch(url, { method, headers, body: init.body });
}

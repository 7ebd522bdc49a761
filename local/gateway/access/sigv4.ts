import { createHash, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { GatewayError } from "../gateway-responses.js";
import type { LocalPrincipal } from "./iam-principals.js";
import { Sha256 } from "../../../kit/sigv4-client.js";

/**
 * AWS Signature Version 4 on an AWS_IAM method, verified for real: the signature is recomputed with the SDK's own
 * signer (@smithy/signature-v4) from the request as received, the headers the client says it signed, its date and
 * its credential scope, and the secret of the local principal its access key names. What the client sees when it
 * fails is what API Gateway answers (403 with MISSING_AUTHENTICATION_TOKEN or INVALID_SIGNATURE).
 */
export interface ReceivedRequest {
  readonly method: string;
  /** The decoded path, stage included (`/v1/requests`): the signer encodes it as the client's signer did. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type SigV4Result = { readonly principal: LocalPrincipal } | { readonly error: GatewayError };

/** How far a request's date may be from the gateway's clock (AWS: 5 minutes either way). */
const MAX_SKEW_MS = 5 * 60 * 1000;
const AUTHORIZATION = /^AWS4-HMAC-SHA256 (.+)$/;

const invalid = (message?: string): SigV4Result => ({ error: { type: "INVALID_SIGNATURE", message } });

export async function verifySigV4(
  request: ReceivedRequest,
  principalOf: (accessKeyId: string) => LocalPrincipal | undefined,
  region: string,
  now: number,
): Promise<SigV4Result> {
  const header = request.headers.authorization;
  if (header === undefined) return { error: { type: "MISSING_AUTHENTICATION_TOKEN" } };
  const fields = Object.fromEntries(
    (AUTHORIZATION.exec(header)?.[1] ?? "").split(/,\s*/).map((part) => part.split("=", 2) as [string, string]),
  );
  const scope = String(fields.Credential).split("/");
  if (scope.length !== 5 || !fields.SignedHeaders || !fields.Signature)
    // AWS answers IncompleteSignatureException (403); the local text says what a SigV4 Authorization header holds.
    return invalid(
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256, SigV4)",
    );
  const [accessKeyId, , scopeRegion, service, terminator] = scope as [string, string, string, string, string];
  const signedAt = parseAmzDate(request.headers["x-amz-date"]);
  if (signedAt === undefined) return invalid("Missing or malformed X-Amz-Date header (yyyyMMddTHHmmssZ)");
  const skew = signedAt.getTime() - now;
  if (Math.abs(skew) > MAX_SKEW_MS)
    return { error: { type: "INVALID_SIGNATURE", message: skewMessage(signedAt, now) } };

  const principal = principalOf(accessKeyId);
  // AWS's text for an access key it does not know (UnrecognizedClientException, 403).
  if (!principal) return invalid("The security token included in the request is invalid.");
  // AWS's texts for a credential scope of another region or service.
  if (scopeRegion !== region) return invalid("Credential should be scoped to a valid region.");
  if (service !== "execute-api" || terminator !== "aws4_request")
    return invalid("Credential should be scoped to correct service: 'execute-api'.");

  const signedHeaders = fields.SignedHeaders.split(";");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return invalid();
    headers[name] = value;
  }
  // The signer trusts a declared payload hash, so check it against the body received.
  const declared = request.headers["x-amz-content-sha256"];
  if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD" && declared !== sha256Hex(request.body))
    return invalid();

  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: principal.secretAccessKey },
    region,
    service: "execute-api",
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      // The signer signs the Host header as received; it reads neither of these.
      protocol: "http:",
      hostname: "",
      path: request.path,
      query: queryRecord(request.query),
      headers,
      body: request.body,
    },
    { signingDate: signedAt, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))![1]!;
  const given = Buffer.from(fields.Signature);
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected)) ? { principal } : invalid();
}

/** AWS's text for a request outside the 5-minute window (the InvalidSignatureException message). */
function skewMessage(signedAt: Date, now: number): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
  return signedAt.getTime() < now
    ? `Signature expired: ${stamp(signedAt.getTime())} is now earlier than ${stamp(now - MAX_SKEW_MS)} (${stamp(now)} - 5 min.)`
    : `Signature not yet current: ${stamp(signedAt.getTime())} is still later than ${stamp(now + MAX_SKEW_MS)} (${stamp(now)} + 5 min.)`;
}

/** `20240521T120000Z` -> its instant. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const parts = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!parts) return undefined;
  const [, y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** Each parameter with all its values: the signer encodes a one-value list as it does the value. */
function queryRecord(query: URLSearchParams): Record<string, string[]> {
  return Object.fromEntries([...new Set(query.keys())].map((name) => [name, query.getAll(name)]));
}

const sha256Hex = (body: string) => createHash("sha256").update(body).digest("hex");

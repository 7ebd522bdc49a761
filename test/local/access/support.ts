import { SignatureV4 } from "@smithy/signature-v4";
import type { LocalPrincipal } from "../../../local/gateway/access/iam-principals.js";
import type { ReceivedRequest } from "../../../local/gateway/access/sigv4.js";
import { statements, type PolicyStatement } from "../../../tfjson/index.js";
import { Sha256 } from "../../../kit/sigv4-client.js";

/** Shared by the fast tests of the local gateway's access pieces (no emulator, no subprocess). */
export const ACCOUNT = "000000000000";
export const REGION = "eu-west-1";
export const EXECUTION_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT}:ingest-api`;
export const CLIENT_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-client`;
/** The resource ARN of `POST /requests` on stage v1. */
export const INVOKE_ARN = `${EXECUTION_ARN}/v1/POST/requests`;

/** A policy of the given statements, read as the local gateway reads the synth's. */
export const policyOf = (...statement: Record<string, unknown>[]): PolicyStatement[] =>
  statements(JSON.stringify({ Version: "2012-10-17", Statement: statement }));

/** The contract's policy: Allow every principal, explicit Deny for principals the condition matches. */
export const contractPolicy = (condition: Record<string, unknown>): PolicyStatement[] =>
  policyOf(
    { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
    { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: condition },
  );
export const namedPolicy = contractPolicy({ ArnNotLike: { "aws:PrincipalArn": [CLIENT_ROLE] } });
export const accountPolicy = contractPolicy({ StringNotEquals: { "aws:PrincipalAccount": ACCOUNT } });

export interface SignOptions {
  readonly date?: Date;
  readonly method?: string;
  readonly path?: string;
  readonly query?: Record<string, string | string[]>;
  readonly region?: string;
  readonly service?: string;
  readonly headers?: Record<string, string>;
  /** Headers to sign that the SDK leaves unsigned by default (curl signs what it is told to). */
  readonly signableHeaders?: readonly string[];
  /** False: no x-amz-content-sha256 header, as curl's --aws-sigv4 signs. @default true (the SDK's way) */
  readonly checksum?: boolean;
}

/** A request as the gateway receives it, signed as the AWS SDK signs (the same signer its clients use). */
export async function signed(
  principal: Pick<LocalPrincipal, "accessKeyId" | "secretAccessKey">,
  body: string,
  options: SignOptions = {},
): Promise<ReceivedRequest> {
  const { method = "POST", path = "/v1/requests", query = {} } = options;
  const signer = new SignatureV4({
    credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
    region: options.region ?? REGION,
    service: options.service ?? "execute-api",
    sha256: Sha256,
    applyChecksum: options.checksum ?? true,
  });
  const request = await signer.sign(
    {
      method,
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 4010,
      path,
      query,
      headers: { host: "127.0.0.1:4010", "content-type": "application/json", ...options.headers },
      body: body.length > 0 ? body : undefined,
    },
    {
      signingDate: options.date ?? new Date(),
      ...(options.signableHeaders ? { signableHeaders: new Set(options.signableHeaders) } : {}),
    },
  );
  const received = new URLSearchParams();
  for (const [name, values] of Object.entries(query)) for (const value of [values].flat()) received.append(name, value);
  return {
    method,
    path,
    query: received,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body,
  };
}

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SendMessageCommandInput } from "@aws-sdk/client-sqs";
import { httpRequest } from "./http-client.js";

/**
 * THE ONE PLACE WHERE THE LOCAL RUN DIFFERS FROM AWS ON THE INGEST PATH.
 *
 * API Gateway's SQS integration POSTs a form-encoded Query-API request (`Action=SendMessage&MessageBody=...`) to
 * `https://sqs.<region>.amazonaws.com/<account>/<queue>`, and SQS answers it in JSON
 * (`{"SendMessageResponse":{"SendMessageResult":{"MessageId":...}}}`), which the integration response templates read.
 * fauxqs 1.9.2 speaks only SQS's JSON protocol (`X-Amz-Target: AmazonSQS.SendMessage`): a form-encoded POST to `/`
 * is routed to its SNS handler and one to `/<account>/<queue>` to its S3 handler. So this small HTTP server stands
 * where SQS's Query endpoint would: it takes exactly the request API Gateway sends, makes the equivalent JSON-protocol
 * call to fauxqs, and answers in the Query API's JSON shapes (success and error). Nothing else is translated:
 * the request template, the integration's headers and the response templates all run unchanged.
 */
export interface SqsQueryAdapter {
  /** Base URL to use in place of `https://sqs.<region>.amazonaws.com`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Query parameters of SendMessage that have a JSON-protocol equivalent here; anything else is refused. */
const SCALAR_PARAMETERS = ["MessageBody", "DelaySeconds", "MessageGroupId", "MessageDeduplicationId"] as const;
const MESSAGE_ATTRIBUTE = /^MessageAttribute\.(\d+)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/;

export async function startSqsQueryAdapter(options: {
  readonly sqsEndpoint: string;
  /** The region this endpoint stands for (`sqs.<region>.amazonaws.com`); the JSON calls carry it in their credential scope. */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly port?: number;
}): Promise<SqsQueryAdapter> {
  const queueUrls = new Map<string, string>();
  // fauxqs takes the region from the credential scope of the Authorization header and does not check signatures, so
  // a scope-only header is enough; a full SigV4 signature per call (the SDK) tripled the adapter's CPU per message.
  const authorization = `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/20260101/${options.region}/sqs/aws4_request, SignedHeaders=host, Signature=local`;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      reply(res, 500, queryError("InternalFailure", String(error), "Receiver")),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const [, account, queueName, extra] = (req.url ?? "/").split("?")[0]!.split("/");
    if (req.method !== "POST" || !account || !queueName || extra !== undefined) {
      return reply(
        res,
        400,
        queryError(
          "InvalidAddress",
          `local SQS adapter: expected POST /<account>/<queue>, got ${req.method} ${req.url}`,
        ),
      );
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      return reply(
        res,
        400,
        queryError("InvalidParameterValue", "Query API requests must be application/x-www-form-urlencoded"),
      );
    }
    const form = new URLSearchParams(body);
    const action = form.get("Action");
    if (action !== "SendMessage") {
      return reply(
        res,
        400,
        queryError("InvalidAction", `local SQS adapter: only SendMessage is translated, got ${action ?? "no Action"}`),
      );
    }
    const request = toJsonSendMessage(form);
    if ("problem" in request) return reply(res, 400, queryError("InvalidParameterValue", request.problem));

    const queueUrl = await resolveQueueUrl(account, queueName);
    if (!queueUrl)
      return reply(
        res,
        400,
        queryError("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."),
      );
    const sent = await callJson("SendMessage", { ...request.input, QueueUrl: queueUrl });
    if (sent.status !== 200) return reply(res, sent.status, queryErrorFromJson(sent));
    const result = sent.body as Record<string, unknown>;
    return reply(res, 200, {
      SendMessageResponse: {
        ResponseMetadata: { RequestId: sent.headers["x-amzn-requestid"] ?? randomUUID() },
        SendMessageResult: {
          MD5OfMessageAttributes: result.MD5OfMessageAttributes ?? null,
          MD5OfMessageBody: result.MD5OfMessageBody ?? null,
          MD5OfMessageSystemAttributes: result.MD5OfMessageSystemAttributes ?? null,
          MessageId: result.MessageId ?? null,
          SequenceNumber: result.SequenceNumber ?? null,
        },
      },
    });
  }

  async function resolveQueueUrl(account: string, queueName: string): Promise<string | undefined> {
    const key = `${account}/${queueName}`;
    const known = queueUrls.get(key);
    if (known) return known;
    const found = await callJson("GetQueueUrl", { QueueName: queueName, QueueOwnerAWSAccountId: account });
    const url = found.status === 200 ? (found.body as { QueueUrl?: string }).QueueUrl : undefined;
    if (url) queueUrls.set(key, url);
    return url;
  }

  /** One SQS JSON-protocol call (`X-Amz-Target: AmazonSQS.<action>`). */
  async function callJson(action: string, input: Record<string, unknown>): Promise<JsonResult> {
    const response = await httpRequest(options.sqsEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${action}`, authorization },
      body: JSON.stringify(input),
      timeoutMs: 10_000,
    });
    return { status: response.status, headers: response.headers, body: response.body ? JSON.parse(response.body) : {} };
  }

  // Above the gateway client's 30 s idle limit (local/gateway/http-client.ts): the client, not this server, closes idle sockets.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Form fields -> SendMessage JSON input (`MessageAttribute.N.*` -> `MessageAttributes`). */
export function toJsonSendMessage(
  form: URLSearchParams,
): { input: Omit<SendMessageCommandInput, "QueueUrl"> } | { problem: string } {
  const input: Record<string, unknown> = {};
  const attributes = new Map<string, Record<string, string>>();
  for (const [name, value] of form) {
    if (name === "Action" || name === "Version") continue;
    if ((SCALAR_PARAMETERS as readonly string[]).includes(name)) {
      input[name] = name === "DelaySeconds" ? Number(value) : value;
      continue;
    }
    const attribute = MESSAGE_ATTRIBUTE.exec(name);
    if (!attribute)
      return {
        problem: `local SQS adapter: parameter ${name} is not translated (supported: ${SCALAR_PARAMETERS.join(", ")}, MessageAttribute.N.*)`,
      };
    const entry = attributes.get(attribute[1]!) ?? {};
    entry[attribute[2]!] = value;
    attributes.set(attribute[1]!, entry);
  }
  if (attributes.size > 0) {
    input.MessageAttributes = Object.fromEntries(
      [...attributes.values()].map((a) => [
        a.Name,
        {
          DataType: a["Value.DataType"],
          ...(a["Value.StringValue"] !== undefined ? { StringValue: a["Value.StringValue"] } : {}),
          ...(a["Value.BinaryValue"] !== undefined ? { BinaryValue: a["Value.BinaryValue"] } : {}),
        },
      ]),
    );
  }
  return { input: input as Omit<SendMessageCommandInput, "QueueUrl"> };
}

/** The Query API's JSON error body: `{"Error":{"Code","Message","Type"},"RequestId"}`. */
function queryError(code: string, message: string, type: "Sender" | "Receiver" = "Sender") {
  return { Error: { Code: code, Message: message, Type: type }, RequestId: randomUUID() };
}

/** JSON-protocol errors carry the Query-API error code in `x-amzn-query-error: <code>;<Sender|Receiver>`. */
interface JsonResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

function queryErrorFromJson(sent: JsonResult) {
  const [code, type] = (sent.headers["x-amzn-query-error"] ?? "").split(";");
  const body = sent.body as { __type?: string; message?: string };
  const fallback = (body.__type ?? "InternalFailure").split("#").pop()!;
  return queryError(
    code || fallback,
    body.message ?? "",
    type === "Receiver" || sent.status >= 500 ? "Receiver" : "Sender",
  );
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID() })
    .end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

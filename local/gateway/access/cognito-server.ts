import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalCognito } from "./cognito.js";

/**
 * The local Cognito endpoints, one path prefix per user pool id (`/<pool id>/...`):
 * - `POST /<pool id>/oauth2/token`: the client-credentials grant as Cognito's token endpoint takes it
 *   (`grant_type=client_credentials`, optional `scope`, the client's id and secret as HTTP Basic or form fields);
 * - `GET /<pool id>/.well-known/jwks.json`: the pool's public keys.
 * Errors use OAuth's `{"error": ...}` shape with the status Cognito uses (400, or 401 for a bad client).
 */
export interface CognitoServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The token endpoint of the pool whose issuer is given. */
  tokenUrl(issuer: string): string;
  close(): Promise<void>;
}

const poolId = (issuer: string) => issuer.slice(issuer.lastIndexOf("/") + 1);

export async function startCognitoServer(cognito: LocalCognito, host = "127.0.0.1"): Promise<CognitoServer> {
  const issuers = new Map(cognito.clients.map((c) => [poolId(c.issuer), c.issuer]));
  const server = createServer((req, res) => {
    void answer(cognito, issuers, req)
      .catch((error: unknown) => ({ status: 500, body: { error: "server_error", detail: String(error) } }))
      .then(({ status, body }) => json(res, status, body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: (issuer) => `${url}/${poolId(issuer)}/oauth2/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  cognito: LocalCognito,
  issuers: ReadonlyMap<string, string>,
  req: IncomingMessage,
): Promise<{ status: number; body: unknown }> {
  const path = /^\/([\w-]+)\/(oauth2\/token|\.well-known\/jwks\.json)$/.exec(
    new URL(req.url ?? "/", "http://x").pathname,
  );
  const issuer = path ? issuers.get(path[1]!) : undefined;
  if (!path || !issuer) return { status: 404, body: { error: "not_found", pools: [...issuers.keys()] } };
  if (path[2] !== "oauth2/token") return { status: 200, body: cognito.jwks(issuer) };
  if (req.method !== "POST") return { status: 405, body: { error: "invalid_request", detail: "POST the grant" } };

  const form = new URLSearchParams(await readText(req));
  if (form.get("grant_type") !== "client_credentials")
    return { status: 400, body: { error: "unsupported_grant_type" } };
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const [clientId, clientSecret] = basic
    ? Buffer.from(basic, "base64").toString("utf8").split(":", 2)
    : [form.get("client_id"), form.get("client_secret")];
  const scope = form.get("scope")?.split(" ").filter(Boolean);
  const client = cognito.clients.find((c) => c.clientId === clientId && c.issuer === issuer);
  const result = client
    ? await cognito.issue(client.clientId, clientSecret ?? "", scope)
    : ({ error: "invalid_client" } as const);
  if ("error" in result)
    return { status: result.error === "invalid_client" ? 401 : 400, body: { error: result.error } };
  return {
    status: 200,
    body: { access_token: result.accessToken, expires_in: result.expiresIn, token_type: "Bearer" },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

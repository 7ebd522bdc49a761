import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { LocalAccess } from "../../local/access-setup.js";
import { allOptionsConfig, synthApp } from "../support/synth.js";
import { synthesizeToJson } from "../../stacks/synthesize.js";
import { listenOnLoopback, type Listening } from "../support/loopback-server.js";
import {
  CLIENT_ROLE,
  POOL_ARN,
  SCOPES,
  signedAs,
  startGatewaysOnly,
  uniqueProject,
  type GatewaysOnly,
} from "./support.js";

/**
 * The local gateways on the stack's synth in the `iam` and `cognito` modes: SigV4 checked with curl's own
 * signer, the resource policy's explicit Deny, Cognito tokens from the local token endpoint, per-key throttling,
 * and the caller's identity passed to the query API's backend as x-request-owner. The backend is a stub that
 * records what it receives; the ingest API sends to the shared fauxqs.
 */
const run = promisify(execFile);
const sqsEndpoint = inject("sqsEndpoint");
const keyValues = (resource: string) => `key-${resource}`;

let stub: Listening;
const owners: (string | undefined)[] = [];

beforeAll(async () => {
  stub = await listenOnLoopback(
    createServer((req, res) => {
      owners.push(req.headers["x-request-owner"] as string | undefined);
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    }),
  );
});
afterAll(() => stub?.close());

/** curl with its own SigV4 signer (`--aws-sigv4`), as docs/LOCAL.md shows; returns status and body. */
async function curl(url: string, args: readonly string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run("curl", ["-s", "-w", "\n%{http_code}", ...args, url]);
  const at = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

describe("local gateway: iam mode", () => {
  let gateways: GatewaysOnly;
  let access: LocalAccess;
  const key = (client: string) => gateways.ingest.api.apiKeys.find((k) => k.name.endsWith(client))!.value;
  const sign = (who: "named" | "other") => {
    const p = access.principals.find((principal) => principal.named === (who === "named"))!;
    return ["--aws-sigv4", "aws:amz:eu-west-1:execute-api", "--user", `${p.accessKeyId}:${p.secretAccessKey}`];
  };

  beforeAll(async () => {
    const doc = synthApp({
      project: uniqueProject("ia"),
      authorization: { ingest: "iam", query: "iam", iam_principals: [CLIENT_ROLE] },
      clients: [
        { name: "orders-web", rate_limit: 60, burst_limit: 120, apis: ["ingest", "query"] },
        // Two requests, then one every 100 s: the third of a quick series is over the rate.
        { name: "billing-batch", rate_limit: 0.01, burst_limit: 2, apis: ["ingest"] },
      ],
    }).main;
    gateways = await startGatewaysOnly(doc, { sqsEndpoint, vpcLinkOrigin: stub.url, keyValues, access: true });
    access = gateways.access!;
  });
  afterAll(() => gateways?.close());

  test("a request signed by curl --aws-sigv4 as the named principal passes; the owner header is its user id", async () => {
    const post = await curl(`${gateways.ingest.url}/requests`, [
      ...sign("named"),
      ...["-H", "content-type: application/json", "-H", `x-api-key: ${key("orders-web")}`, "-d", '{"a":1}'],
    ]);
    expect(post.status).toBe(202);
    const get = await curl(`${gateways.query.url}/requests/r-1`, [
      ...sign("named"),
      "-H",
      `x-api-key: ${key("orders-web")}`,
    ]);
    expect(get.status).toBe(200);
    const named = access.principals.find((p) => p.named)!;
    expect(owners.at(-1)).toBe(named.userId);
  });

  test("unsigned, tampered and unnamed-principal requests get API Gateway's 403s", async () => {
    const headers = ["-H", "content-type: application/json", "-H", `x-api-key: ${key("orders-web")}`];
    const unsigned = await curl(`${gateways.ingest.url}/requests`, [...headers, "-d", "{}"]);
    expect(unsigned).toMatchObject({ status: 403, body: expect.stringContaining("Missing Authentication Token") });
    const [, , , credentials] = sign("named");
    const tampered = await curl(`${gateways.ingest.url}/requests`, [
      ...["--aws-sigv4", "aws:amz:eu-west-1:execute-api", "--user", `${credentials!.split(":")[0]}:wrong-secret`],
      ...headers,
      "-d",
      "{}",
    ]);
    expect(tampered).toMatchObject({
      status: 403,
      body: expect.stringContaining("signature we calculated does not match"),
    });
    const other = await curl(`${gateways.ingest.url}/requests`, [...sign("other"), ...headers, "-d", "{}"]);
    expect(other.status).toBe(403);
    expect(other.body).toContain("user/local-not-named is not authorized to perform: execute-api:Invoke");
    expect(other.body).toContain("with an explicit deny");
  });

  test("a client over its rate gets 429 while another client is unaffected", async () => {
    const postAs = (client: string) =>
      curl(`${gateways.ingest.url}/requests`, [
        ...sign("named"),
        ...["-H", "content-type: application/json", "-H", `x-api-key: ${key(client)}`, "-d", "{}"],
      ]);
    const batch = [];
    for (let i = 0; i < 4; i++) batch.push((await postAs("billing-batch")).status);
    expect(batch).toContain(429);
    expect((await postAs("orders-web")).status).toBe(202);
  });
});

describe("local gateway: iam mode with whole accounts named", () => {
  /** POST /requests signed as each local principal: [ARN, named, status, body]. */
  async function postAsEach(gateways: GatewaysOnly) {
    const key = gateways.ingest.api.apiKeys[0]!.value;
    return Promise.all(
      gateways.access!.principals.map(async (principal) => {
        const response = await signedAs(
          gateways,
          key,
          principal,
        )(`${gateways.ingest.url}/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        return [principal.arn, principal.named, response.status, await response.text()] as const;
      }),
    );
  }

  test("iam_principals null (the example): the account's principals pass; the one printed as not named is denied", async () => {
    const gateways = await startGatewaysOnly(synthApp({ project: uniqueProject("iw") }).main, {
      sqsEndpoint,
      keyValues,
      access: true,
    });
    try {
      const [named, unnamed, ...more] = await postAsEach(gateways);
      expect(more).toEqual([]);
      expect(named).toEqual(["arn:aws:iam::000000000000:root", true, 202, expect.any(String)]);
      // Every principal of the API's own account is admitted, so the unnamed one belongs to another account.
      expect(unnamed).toEqual([
        "arn:aws:iam::111111111111:user/local-not-named",
        false,
        403,
        expect.stringContaining("with an explicit deny"),
      ]);
    } finally {
      await gateways.close();
    }
  });

  test("a named account root (all-options example): its principals pass, the Deny's account pattern signs as it", async () => {
    const gateways = await startGatewaysOnly(synthesizeToJson(allOptionsConfig()).main, {
      sqsEndpoint,
      keyValues,
      access: true,
      createQueues: false,
    });
    try {
      const answers = await postAsEach(gateways);
      expect(answers.map(([arn, named, status]) => [arn, named, status === 403 ? 403 : "admitted"])).toEqual([
        ["arn:aws:iam::123456789012:role/orders-web", true, "admitted"],
        ["arn:aws:iam::210987654321:root", true, "admitted"],
        ["arn:aws:iam::000000000000:user/local-not-named", false, 403],
      ]);
    } finally {
      await gateways.close();
    }
  });
});

describe("local gateway: cognito mode", () => {
  let gateways: GatewaysOnly;
  let access: LocalAccess;

  beforeAll(async () => {
    const doc = synthApp({
      project: uniqueProject("co"),
      authorization: { ingest: "cognito", query: "cognito", cognito_user_pool_arns: [POOL_ARN] },
    }).main;
    gateways = await startGatewaysOnly(doc, { sqsEndpoint, vpcLinkOrigin: stub.url, keyValues, access: true });
    access = gateways.access!;
  });
  afterAll(() => gateways?.close());

  const token = async (scope: string) => {
    const client = access.cognito!.clients.find((c) => c.name.endsWith("orders-web"))!;
    const answer = await curl(access.cognitoServer!.tokenUrl(client.issuer), [
      ...[
        "-u",
        `${client.clientId}:${client.clientSecret}`,
        "-d",
        "grant_type=client_credentials",
        "-d",
        `scope=${scope}`,
      ],
    ]);
    return { client, accessToken: (JSON.parse(answer.body) as { access_token: string }).access_token };
  };

  test("a token from the local endpoint opens the method of its scope; the owner header is the client id", async () => {
    const { client, accessToken } = await token(SCOPES.read);
    const apiKey = gateways.query.api.apiKeys.find((k) => k.name.endsWith("orders-web"))!.value;
    const get = await fetch(`${gateways.query.url}/requests/r-2`, {
      headers: { authorization: accessToken, "x-api-key": apiKey },
    });
    expect(get.status).toBe(200);
    expect(owners.at(-1)).toBe(client.clientId);
    const post = await fetch(`${gateways.ingest.url}/requests`, {
      method: "POST",
      headers: { authorization: accessToken, "x-api-key": apiKey, "content-type": "application/json" },
      body: "{}",
    });
    expect(post.status).toBe(401);
    const none = await fetch(`${gateways.query.url}/requests/r-2`, { headers: { "x-api-key": apiKey } });
    expect(none.status).toBe(401);
  });
});

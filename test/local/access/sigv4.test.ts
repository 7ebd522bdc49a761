import { describe, expect, test } from "vitest";
import { localPrincipals } from "../../../local/gateway/access/iam-principals.js";
import { parseAmzDate, verifySigV4, type ReceivedRequest } from "../../../local/gateway/access/sigv4.js";
import { ACCOUNT, CLIENT_ROLE, namedPolicy, REGION, signed } from "./support.js";

/**
 * SigV4 on an AWS_IAM method: which signed requests pass (and as whom), and which are refused with which gateway
 * response and message (API Gateway's texts), against requests signed by the SDK's own signer.
 */
const principals = localPrincipals(namedPolicy, ACCOUNT);
const client = principals[0]!;
const find = (id: string) => principals.find((p) => p.accessKeyId === id);
const NOW = Date.UTC(2026, 4, 21, 12, 0, 0);
const AT_NOW = new Date(NOW);

/** "passed as <arn>", or "<type>: <message>" for a refusal. */
async function outcome(request: ReceivedRequest, now = NOW): Promise<string> {
  const result = await verifySigV4(request, find, REGION, now);
  return "error" in result
    ? `${result.error.type}: ${result.error.message ?? ""}`
    : `passed as ${result.principal.arn}`;
}
const PASSED = `passed as ${CLIENT_ROLE}`;
const withAuthorization = (request: ReceivedRequest, edit: (header: string) => string): ReceivedRequest => ({
  ...request,
  headers: { ...request.headers, authorization: edit(request.headers.authorization!) },
});
const REQUIRES =
  "INVALID_SIGNATURE: Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256, SigV4)";

describe("local gateway access: SigV4 requests that pass", () => {
  test("signed by the SDK's signer with a local principal's key: passes as that principal", async () => {
    const result = await verifySigV4(await signed(client, '{"a":1}', { date: AT_NOW }), find, REGION, NOW);
    expect(result).toEqual({ principal: client });
  });

  test("a GET without a body, with a repeated query parameter and a non-ASCII path", async () => {
    const request = await signed(client, "", {
      date: AT_NOW,
      method: "GET",
      path: "/v1/requests/é 1",
      query: { b: "2", a: ["1", "3"] },
    });
    expect(await outcome(request)).toBe(PASSED);
  });

  test("without x-amz-content-sha256 (as curl signs) the body itself is signed", async () => {
    const request = await signed(client, '{"a":1}', { date: AT_NOW, checksum: false });
    expect(request.headers).not.toHaveProperty("x-amz-content-sha256");
    expect(await outcome(request)).toBe(PASSED);
    expect(await outcome({ ...request, body: '{"a":2}' })).toBe("INVALID_SIGNATURE: ");
    expect(await outcome(await signed(client, "", { date: AT_NOW, checksum: false, method: "GET" }))).toBe(PASSED);
  });

  test("the Authorization fields separated by a comma alone, as some clients send them", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    expect(await outcome(withAuthorization(request, (h) => h.replace(/, /g, ",")))).toBe(PASSED);
  });

  test("an unsigned payload (x-amz-content-sha256: UNSIGNED-PAYLOAD) is not checked against the body", async () => {
    const request = await signed(client, "{}", {
      date: AT_NOW,
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    expect(await outcome({ ...request, body: '{"other":1}' })).toBe(PASSED);
  });

  test("a declared payload hash that matches the body passes; one that does not is refused", async () => {
    const hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"; // SHA-256 of "{}"
    const request = await signed(client, "{}", { date: AT_NOW, headers: { "x-amz-content-sha256": hash } });
    expect(await outcome(request)).toBe(PASSED);
    const stale = { ...request.headers, "x-amz-content-sha256": "0".repeat(64) };
    expect(await outcome({ ...request, headers: stale })).toBe("INVALID_SIGNATURE: ");
  });

  test("a header the client chose to sign that the SDK would not (user-agent) is signed as the client said", async () => {
    const request = await signed(client, "{}", {
      date: AT_NOW,
      headers: { "user-agent": "curl/8" },
      signableHeaders: ["user-agent"],
    });
    expect(request.headers.authorization).toContain("user-agent");
    expect(await outcome(request)).toBe(PASSED);
  });

  test("a date exactly 5 minutes away either way is still inside the window", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    expect(await outcome(request, NOW + 5 * 60_000)).toBe(PASSED);
    expect(await outcome(request, NOW - 5 * 60_000)).toBe(PASSED);
  });
});

describe("local gateway access: SigV4 requests that are refused", () => {
  test("no Authorization header: MISSING_AUTHENTICATION_TOKEN", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    expect(await verifySigV4({ ...request, headers: { host: "127.0.0.1:4010" } }, find, REGION, NOW)).toEqual({
      error: { type: "MISSING_AUTHENTICATION_TOKEN" },
    });
  });

  test("a tampered body, a changed method or path, or a wrong secret: INVALID_SIGNATURE", async () => {
    const request = await signed(client, '{"a":1}', { date: AT_NOW });
    expect(await verifySigV4({ ...request, body: '{"a":2}' }, find, REGION, NOW)).toEqual({
      error: { type: "INVALID_SIGNATURE" },
    });
    expect(await outcome({ ...request, method: "PUT" })).toBe("INVALID_SIGNATURE: ");
    expect(await outcome({ ...request, path: "/v1/other" })).toBe("INVALID_SIGNATURE: ");
    const wrongSecret = await signed({ ...client, secretAccessKey: "not-the-secret" }, "{}", { date: AT_NOW });
    expect(await outcome(wrongSecret)).toBe("INVALID_SIGNATURE: ");
  });

  test("a signature of another length or a header it signed that is missing: INVALID_SIGNATURE", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    expect(await outcome(withAuthorization(request, (h) => h.replace(/Signature=\w+/, "Signature=abc")))).toBe(
      "INVALID_SIGNATURE: ",
    );
    const { ["content-type"]: _type, ...headers } = request.headers;
    expect(await outcome({ ...request, headers })).toBe("INVALID_SIGNATURE: ");
  });

  test("an Authorization header without a SigV4 Credential, SignedHeaders or Signature names what it needs", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    const edited = (edit: (header: string) => string) => outcome(withAuthorization(request, edit));
    expect(await edited(() => "Bearer abc")).toBe(REQUIRES);
    expect(await edited((h) => `x${h}`)).toBe(REQUIRES);
    expect(await edited((h) => h.replace("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256"))).toBe(REQUIRES);
    expect(await edited((h) => h.replace(/Credential=[^,]+, /, ""))).toBe(REQUIRES);
    expect(await edited((h) => h.replace(/SignedHeaders=[^,]+, /, ""))).toBe(REQUIRES);
    expect(await edited((h) => h.replace(/, Signature=\w+/, ""))).toBe(REQUIRES);
    expect(await edited((h) => h.replace("/aws4_request", ""))).toBe(REQUIRES);
    expect(await edited((h) => h.replace("/aws4_request", "/aws4_request/x"))).toBe(REQUIRES);
  });

  test("a missing or malformed X-Amz-Date", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    const { ["x-amz-date"]: date, ...undated } = request.headers;
    const message = "INVALID_SIGNATURE: Missing or malformed X-Amz-Date header (yyyyMMddTHHmmssZ)";
    expect(await outcome({ ...request, headers: undated })).toBe(message);
    for (const malformed of [`${date}x`, `x${date}`, date!.slice(0, -1), date!.replace("T", " ")])
      expect(await outcome({ ...request, headers: { ...undated, "x-amz-date": malformed } })).toBe(message);
  });

  test("a date more than 5 minutes away, with AWS's texts", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    expect(await outcome(request, NOW + 5 * 60_000 + 1000)).toBe(
      "INVALID_SIGNATURE: Signature expired: 20260521T120000Z is now earlier than 20260521T120001Z" +
        " (20260521T120501Z - 5 min.)",
    );
    expect(await outcome(request, NOW - 5 * 60_000 - 1000)).toBe(
      "INVALID_SIGNATURE: Signature not yet current: 20260521T120000Z is still later than 20260521T115959Z" +
        " (20260521T115459Z + 5 min.)",
    );
  });

  test("an access key no local principal has, or a credential scope of another region or service", async () => {
    const request = await signed(client, "{}", { date: AT_NOW });
    const edited = (edit: (header: string) => string) => outcome(withAuthorization(request, edit));
    expect(await edited((h) => h.replace(client.accessKeyId, "AKIAUNKNOWN"))).toBe(
      "INVALID_SIGNATURE: The security token included in the request is invalid.",
    );
    expect(await outcome(await signed(client, "{}", { date: AT_NOW, region: "us-east-1" }))).toBe(
      "INVALID_SIGNATURE: Credential should be scoped to a valid region.",
    );
    const service = "INVALID_SIGNATURE: Credential should be scoped to correct service: 'execute-api'.";
    expect(await outcome(await signed(client, "{}", { date: AT_NOW, service: "s3" }))).toBe(service);
    expect(await edited((h) => h.replace("/aws4_request", "/aws4_other"))).toBe(service);
  });
});

describe("local gateway access: X-Amz-Date", () => {
  test("is read as a UTC instant to the second", () => {
    expect(parseAmzDate("20240521T123456Z")).toEqual(new Date("2024-05-21T12:34:56Z"));
    expect(parseAmzDate(undefined)).toBeUndefined();
    expect(parseAmzDate("2024-05-21T12:34:56Z")).toBeUndefined();
  });
});

import { randomUUID } from "node:crypto";
import { request } from "node:http";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  adminDynamoClient,
  processedItem,
  putItem,
  requestsTable,
  startApi,
  testDynamoClient,
  uniqueTableName,
  type RunningApi,
} from "./helpers.js";
import { createRequestsTable, deleteTable } from "../../../kit/emulator-fixtures.js";

/**
 * Results belong to the client that sent them: the item's `owner` (written by the processor) against the caller's
 * `x-request-owner` (set by the query API's integration), in DynamoDB Local.
 */

const OWNER = "AROAEXAMPLEROLEID";
const ids = { owned: randomUUID(), ownerless: randomUUID(), missing: randomUUID() };
const tableName = uniqueTableName("owner");
let client: DynamoDBClient;
let admin: DynamoDBClient;
let api: RunningApi;

beforeAll(async () => {
  client = testDynamoClient(inject("dynamoEndpoint"));
  admin = adminDynamoClient(inject("dynamoEndpoint"));
  await createRequestsTable(admin, tableName);
  await putItem(admin, tableName, { ...processedItem(ids.owned), owner: OWNER });
  await putItem(admin, tableName, processedItem(ids.ownerless));
  api = await startApi({ requests: requestsTable(client, tableName) });
});

afterAll(async () => {
  await api?.close();
  await deleteTable(admin, tableName);
  client?.destroy();
  admin?.destroy();
});

/** GET as a caller with this owner header (undefined: no header). */
async function getAs(owner: string | undefined, id: string) {
  const response = await fetch(`${api.url}/requests/${id}`, {
    headers: owner === undefined ? {} : { "x-request-owner": owner },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A 404's body without its per-request id: what a caller could compare between answers. */
const withoutRequestId = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;

describe("api: results only their owner can read", () => {
  it("owner: the owner reads its item, with the contract's fields and without the owner", async () => {
    // GIVEN an item the processor stored with an owner WHEN that owner asks THEN 200 with the item as before owners
    const { status, body } = await getAs(OWNER, ids.owned);
    expect(status).toBe(200);
    expect(body).toEqual(processedItem(ids.owned));
  });

  it("owner: every session of a role is one owner (the header is cut at its first colon)", async () => {
    expect((await getAs(`${OWNER}:session-a`, ids.owned)).status).toBe(200);
    expect((await getAs(`${OWNER}:session-b:more`, ids.owned)).status).toBe(200);
  });

  it("owner: another owner, or a caller without one, gets the 404 of a missing item", async () => {
    // GIVEN the answer for an id that does not exist
    const missing = await getAs("AIDAOTHERUSER", ids.missing);
    expect(missing.status).toBe(404);
    // WHEN other callers ask for the owned item THEN they cannot tell it from a missing one
    for (const caller of ["AIDAOTHERUSER", undefined, "", `x${OWNER}`, OWNER.slice(0, -1), OWNER.toLowerCase()]) {
      const { status, body } = await getAs(caller, ids.owned);
      expect(status, String(caller)).toBe(404);
      expect(withoutRequestId(body), String(caller)).toEqual({
        ...withoutRequestId(missing.body),
        message: (missing.body.message as string).replace(ids.missing, ids.owned),
      });
    }
  });

  it("owner: an item stored without an owner is readable only by callers without one", async () => {
    expect(await getAs(undefined, ids.ownerless)).toEqual({ status: 200, body: processedItem(ids.ownerless) });
    expect((await getAs("", ids.ownerless)).status).toBe(200);
    // ":" normalizes to no owner: the part before the first colon is empty
    expect((await getAs(":session", ids.ownerless)).status).toBe(200);
    expect((await getAs(OWNER, ids.ownerless)).status).toBe(404);
    expect((await getAs("AIDAOTHERUSER", ids.ownerless)).status).toBe(404);
  });

  it("owner: a header the gateway could not have sent is refused with a 400 naming it, never cut to an owner", async () => {
    // A client header appended to the gateway's would reach the api as "<theirs>, <ours>": cut at its first ":",
    // "AROAVICTIM:, AROAME:s" would name the victim.
    const twice = await rawGet(ids.owned, [`${OWNER}:`, "AROAME:session"]);
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body)).toMatchObject({
      error: "invalid_owner",
      message: expect.stringContaining("x-request-owner"),
    });
    for (const malformed of [`${OWNER} x`, `${OWNER}\u00e9`, "A".repeat(257)]) {
      expect((await getAs(malformed, ids.owned)).status, malformed.slice(0, 20)).toBe(400);
    }
    expect((await getAs("A".repeat(256), ids.owned)).status).toBe(404);
  });
});

/** GET with the owner header sent once per value (fetch would join them itself). */
function rawGet(id: string, owners: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}/requests/${id}`, { headers: { "x-request-owner": owners } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject).end();
  });
}

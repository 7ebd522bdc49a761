/**
 * The peer for bench:api: a bare Express 5 app, no middleware (no request log, no headers, no limits, no error
 * handler of its own), serving the same route with the same DynamoDB client and read (the api's RequestsTable:
 * strongly consistent GetItem, item converted to JSON text). Written the way an Express user would: `res.type().send()`.
 * Env: PORT, TABLE_NAME, AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB. Bundled and run like the api by the bench.
 */
import express from "express";
import { parseRequestId } from "../apps/api/src/request-id.js";
import { RequestsTable, createDynamoClient } from "../apps/api/src/requests-table.js";

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const table = new RequestsTable(
  createDynamoClient({ region: required("AWS_REGION"), endpoint: required("AWS_ENDPOINT_URL_DYNAMODB") }),
  required("TABLE_NAME"),
);
const app = express();
app.get("/requests/:requestId", async (req, res) => {
  const id = parseRequestId(req.params.requestId);
  if (id === undefined) {
    res.status(400).json({ error: "invalid_request_id" });
    return;
  }
  const json = await table.getRequestJson(id, "");
  if (json === undefined) res.status(404).json({ error: "not_found" });
  else res.type("application/json").send(json);
});
app.get("/health", (_req, res) => {
  res.json({ status: "ok" });
});
app.listen(Number(required("PORT")), "127.0.0.1");
process.once("SIGTERM", () => process.exit(0));

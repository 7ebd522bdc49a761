import { describe, expect, test } from "vitest";
import { editPolicy, first } from "../support/policy-edits.js";
import { KEY_ONLY_REASON, policyFixtures, type PolicyFixture } from "../support/policy-fixtures.js";
import { controlResult, controlRow } from "../support/control-result.js";

/**
 * The access controls (policy/controls/access.ts) one branch at a time: the example (both APIs "iam"), every option
 * ("iam" with named principals), "cognito", and the "api_key" mode with and without a recorded reason.
 */
const fixtures = await policyFixtures();
const example = fixtures.example!;
const full = fixtures.full!;
const cognito = fixtures.cognito!;

const keyOnly = fixtures.keyOnly!;
const keyOnlyRecorded = fixtures.keyOnlyRecorded!;
const REASON = KEY_ONLY_REASON;

const after = (fixture: PolicyFixture, edit: (copy: PolicyFixture) => void) => {
  const copy = structuredClone(fixture);
  edit(copy);
  return copy;
};
const post = (f: PolicyFixture) => first(f.main, "aws_api_gateway_method", (m) => m.http_method === "POST");

describe("policy: CUSTOM.METHOD_AUTH", () => {
  test("policy: signed and Cognito methods pass, GET /health is exempt", () => {
    expect(controlResult(example, "CUSTOM.METHOD_AUTH").status).toBe("pass");
    expect(controlResult(full, "CUSTOM.METHOD_AUTH").status).toBe("pass");
    expect(controlResult(cognito, "CUSTOM.METHOD_AUTH").status).toBe("pass");
  });

  test('policy: "api_key" APIs without a recorded reason name each method', () => {
    expect(controlResult(keyOnly, "CUSTOM.METHOD_AUTH").problems).toEqual([
      "main/ingest-api/post-requests (POST /requests): authorization NONE, and the config records no api_key_only_reason for the ingest API",
      "main/query-api/get-request (GET /requests/{requestId}): authorization NONE, and the config records no api_key_only_reason for the query API",
    ]);
  });

  test("policy: a recorded reason covers only an API the config puts in api_key mode", () => {
    expect(controlResult(keyOnlyRecorded, "CUSTOM.METHOD_AUTH").status).toBe("pass");
    const ingestOpened = after(example, (f) => (post(f).authorization = "NONE"));
    expect(controlResult(ingestOpened, "CUSTOM.METHOD_AUTH").problems).toEqual([
      "main/ingest-api/post-requests (POST /requests): authorization NONE, and the config records no api_key_only_reason for the ingest API",
    ]);
  });

  test("policy: a Cognito method without a scope fails (ID tokens would pass)", () => {
    const noScope = after(cognito, (f) => {
      delete first(f.main, "aws_api_gateway_method", (m) => m.authorization === "COGNITO_USER_POOLS")
        .authorization_scopes;
    });
    expect(controlResult(noScope, "CUSTOM.METHOD_AUTH").problems).toEqual([
      "main/ingest-api/post-requests (POST /requests): a Cognito method needs an authorizer and a scope (without one, ID tokens pass)",
    ]);
  });
});

describe("policy: CUSTOM.API_KEY_ONLY", () => {
  test("policy: a key as the only credential fails without a reason", () => {
    expect(controlResult(keyOnly, "CUSTOM.API_KEY_ONLY").problems).toEqual([
      "main/ingest-api/post-requests: an API key is the only credential",
      "main/query-api/get-request: an API key is the only credential",
    ]);
  });

  test("policy: with a recorded reason it passes, and the report shows the reason", () => {
    const result = controlResult(keyOnlyRecorded, "CUSTOM.API_KEY_ONLY");
    expect(result.status).toBe("pass");
    expect(result.notes).toEqual([
      `POST /requests: an API key is the only credential (api_key_only_reason: ${REASON})`,
      `GET /requests/{requestId}: an API key is the only credential (api_key_only_reason: ${REASON})`,
    ]);
    expect(controlResult(example, "CUSTOM.API_KEY_ONLY").notes).toBeUndefined();
  });
});

describe("policy: CUSTOM.IAM_NAMED_ONLY", () => {
  test("policy: a Deny without a principal condition does not count", () => {
    const unconditioned = after(example, (f) =>
      editPolicy(first(f.main, "aws_api_gateway_rest_api_policy"), "policy", (d) => {
        for (const s of d.Statement) delete s.Condition;
      }),
    );
    expect(controlResult(unconditioned, "CUSTOM.IAM_NAMED_ONLY").problems).toEqual([
      "main/ingest-api/post-requests (POST /requests): no resource-policy Deny for principals not named",
    ]);
  });

  test("policy: a Deny on another method does not cover this one", () => {
    const elsewhere = after(full, (f) =>
      editPolicy(
        first(f.main, "aws_api_gateway_rest_api_policy"),
        "policy",
        (d) => (d.Statement.find((s: any) => s.Effect === "Deny").Resource = ["execute-api:/*/GET/requests/*"]),
      ),
    );
    expect(controlResult(elsewhere, "CUSTOM.IAM_NAMED_ONLY").problems).toEqual([
      "main/ingest-api/post-requests (POST /requests): no resource-policy Deny for principals not named",
    ]);
  });

  test("policy: not applicable when no API is signed", () => {
    const result = controlResult(keyOnly, "CUSTOM.IAM_NAMED_ONLY");
    expect(result.status).toBe("exception");
    expect(result.exceptionReason).toBe('no API is in "iam" mode (authorization.ingest, authorization.query)');
  });
});

describe("policy: CUSTOM.METHOD_CAPACITY", () => {
  const overLimit = (f: PolicyFixture) =>
    (first(f.main, "aws_api_gateway_method_settings").settings.throttling_rate_limit = 1_500);

  test("policy: a method throttle above its backend names the numbers", () => {
    expect(controlResult(after(example, overLimit), "CUSTOM.METHOD_CAPACITY").problems).toEqual([
      "main/ingest-api/stage/method-settings: throttling_rate_limit 1500 is above what the ingest API's backend sustains (services.processor.max_count x messages_per_second_per_task = 10 x 100 = 1000/s)",
    ]);
  });

  test("policy: a recorded reason passes and is shown", () => {
    const reason = "spikes wait in the queue";
    const recorded = after(example, (f) => {
      overLimit(f);
      (f as { config: unknown }).config = { ...f.config, throttle_above_capacity_reason: reason };
    });
    const result = controlResult(recorded, "CUSTOM.METHOD_CAPACITY");
    expect(result.status).toBe("pass");
    expect(result.notes).toEqual([`throttle_above_capacity_reason: ${reason}`]);
  });
});

describe("policy: access controls, edge cases", () => {
  const gone = "${aws_api_gateway_rest_api.gone.id}";

  test("policy: the report rows name each control's resource type and the /health exemption", () => {
    expect(controlRow(example, "CUSTOM.METHOD_AUTH")).toBe(
      "| CUSTOM.METHOD_AUTH | aws_api_gateway_method | No request method without authorization unless recorded | pass | exempt: GET /health (monitoring reaches it without a credential; it answers only its status) |",
    );
    expect(controlRow(example, "CUSTOM.API_KEY_ONLY")).toBe(
      "| CUSTOM.API_KEY_ONLY | aws_api_gateway_method | An API key is not the only credential of a method, unless recorded | pass | exempt: GET /health (it answers only its status) |",
    );
    expect(controlRow(example, "CUSTOM.IAM_NAMED_ONLY")).toMatch(
      /^\| CUSTOM.IAM_NAMED_ONLY \| aws_api_gateway_rest_api_policy \|/,
    );
    expect(controlRow(example, "CUSTOM.METHOD_CAPACITY")).toMatch(
      /^\| CUSTOM.METHOD_CAPACITY \| aws_api_gateway_method_settings \| .* \| pass \| {2}\|$/,
    );
  });

  test("policy: a method of an API the report cannot name is still reported", () => {
    const orphan = after(keyOnly, (f) => (post(f).rest_api_id = gone));
    expect(controlResult(orphan, "CUSTOM.METHOD_AUTH").problems).toContain(
      "main/ingest-api/post-requests (POST /requests): authorization NONE, and the config records no api_key_only_reason for the unknown API",
    );
  });

  test("policy: a method open without a key is CKV_AWS_59's problem, not the key-only one", () => {
    const open = after(keyOnly, (f) => (post(f).api_key_required = false));
    expect(controlResult(open, "CUSTOM.API_KEY_ONLY").problems).toEqual([
      "main/query-api/get-request: an API key is the only credential",
    ]);
  });

  const editDeny = (fixture: PolicyFixture, change: (deny: any) => void) =>
    after(fixture, (f) =>
      editPolicy(first(f.main, "aws_api_gateway_rest_api_policy"), "policy", (d) =>
        change(d.Statement.find((s: any) => s.Sid === "DenyOthers")),
      ),
    );
  const ingestDenied = (fixture: PolicyFixture) =>
    controlResult(fixture, "CUSTOM.IAM_NAMED_ONLY").problems.filter((p) => p.includes("ingest"));

  test("policy: a Deny on the whole API, or on a list holding the method, covers it", () => {
    expect(ingestDenied(editDeny(example, (deny) => (deny.Resource = "execute-api:/*")))).toEqual([]);
    const listed = editDeny(example, (deny) => deny.Resource.push("execute-api:/*/GET/elsewhere"));
    expect(ingestDenied(listed)).toEqual([]);
  });

  test("policy: only a Deny of execute-api:Invoke counts", () => {
    const missing = [
      "main/ingest-api/post-requests (POST /requests): no resource-policy Deny for principals not named",
    ];
    expect(ingestDenied(editDeny(example, (deny) => (deny.Effect = "Allow")))).toEqual(missing);
    expect(ingestDenied(editDeny(example, (deny) => (deny.Action = "execute-api:ManageConnections")))).toEqual(missing);
  });

  test("policy: each API's throttle is held to its own backend, a limit equal to it passes", () => {
    const config = structuredClone(example.config) as any;
    config.services.processor.max_count = 1; // ingest: 1 x 100 = 100/s; query stays 10 x 6000 / 60 = 1000/s
    const limits = after(example, (f) => {
      (f as { config: unknown }).config = config;
      for (const settings of Object.values(f.main.resource!.aws_api_gateway_method_settings!) as any[])
        settings.settings.throttling_rate_limit = String(settings.rest_api_id).includes("ingest") ? 100 : 1000;
    });
    expect(controlResult(limits, "CUSTOM.METHOD_CAPACITY").problems).toEqual([]);
  });

  test("policy: method settings of an API the capacity model does not know are reported", () => {
    const orphan = after(example, (f) => (first(f.main, "aws_api_gateway_method_settings").rest_api_id = gone));
    expect(controlResult(orphan, "CUSTOM.METHOD_CAPACITY").problems).toEqual([
      "main/ingest-api/stage/method-settings: not an API the capacity model knows",
    ]);
  });

  test("policy: no notes without a recorded capacity reason", () => {
    expect(controlResult(example, "CUSTOM.METHOD_CAPACITY").notes).toBeUndefined();
  });
});

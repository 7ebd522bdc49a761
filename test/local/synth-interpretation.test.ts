import { describe, expect, test } from "vitest";
import { References, UnresolvedReferenceError } from "../../local/references.js";
import { Router } from "../../local/gateway/router.js";
import { renderTemplate, util } from "../../local/gateway/vtl.js";
import { evaluateJsonPath, UnsupportedJsonPathError } from "../../local/gateway/jsonpath.js";
import { ModelValidator, validationErrorString } from "../../local/gateway/validator.js";
import { selectResponse } from "../../local/gateway/integrations.js";
import { toJsonSendMessage } from "../../local/gateway/sqs-query-adapter.js";
import { INGEST_REQUEST_SCHEMA, SEND_MESSAGE_TEMPLATE } from "../../stacks/apis/ingest-api.js";
import { sendMessageTemplate } from "../../stacks/apis/send-message-template.js";
import type { TfJson as TerraformJson } from "../../tfjson/index.js";
import { serviceSpecs } from "../../local/services.js";
import { synthApp } from "../support/synth.js";

const doc: TerraformJson = {
  data: { aws_caller_identity: { caller: {} } },
  resource: {
    aws_sqs_queue: {
      q: { name: "orders-requests", redrive_policy: '{"deadLetterTargetArn":"${aws_sqs_queue.dlq.arn}"}' },
      dlq: { name: "orders-dlq" },
    },
    aws_api_gateway_method: { m: { http_method: "POST", resource_id: "${aws_api_gateway_resource.r.id}" } },
    aws_api_gateway_resource: { r: { path_part: "requests" } },
  },
};

describe("local references", () => {
  test("references: resolves ids to logical names and set attributes from the resource body", () => {
    const refs = new References(doc);
    expect(refs.resolveString("${aws_api_gateway_method.m.resource_id}", "t")).toBe("r");
    expect(refs.resolveString("path/${aws_sqs_queue.q.name}", "t")).toBe("path/orders-requests");
  });

  test("references: registered local values win, inside strings, arrays and objects", () => {
    const refs = new References(doc).set("aws_sqs_queue.dlq.arn", "arn:aws:sqs:eu-west-1:000000000000:orders-dlq");
    expect(refs.resolve({ a: ["${aws_sqs_queue.q.redrive_policy}"] }, "t")).toEqual({
      a: ['{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:orders-dlq"}'],
    });
  });

  test("references: `$${` stays a literal `${` as in Terraform", () => {
    expect(new References(doc).resolveString("$${context.requestId}", "t")).toBe("${context.requestId}");
  });

  test.each([
    ["a computed attribute nobody registered", "${aws_sqs_queue.q.arn}", /computed by AWS/],
    ["a missing resource", "${aws_sqs_queue.nope.url}", /has no resource aws_sqs_queue.nope/],
    ["a function call", "${length(aws_sqs_queue.q.name)}", /only plain/],
    ["a data source attribute", "${data.aws_caller_identity.caller.account_id}", /computed by AWS/],
  ])("references: fails loudly on %s", (_what, text, message) => {
    expect(() => new References(doc).resolveString(text, "the test")).toThrow(UnresolvedReferenceError);
    expect(() => new References(doc).resolveString(text, "the test")).toThrow(message);
  });
});

describe("local router", () => {
  const router = new Router<string>();
  router.add("/requests", "POST", "post");
  router.add("/requests/{requestId}", "GET", "get-one");
  router.add("/requests/latest", "GET", "latest");
  router.add("/files/{path+}", "ANY", "files");

  test("router: matches {param} segments and decodes them", () => {
    expect(router.match("GET", "/requests/a%20b")).toEqual({
      resourcePath: "/requests/{requestId}",
      method: "get-one",
      pathParameters: { requestId: "a b" },
    });
  });

  test("router: a literal segment beats a {param}, a greedy {proxy+} takes the rest, ANY takes any method", () => {
    expect(router.match("GET", "/requests/latest")?.method).toBe("latest");
    expect(router.match("DELETE", "/files/a/b/c")).toMatchObject({
      method: "files",
      pathParameters: { path: "a/b/c" },
    });
  });

  test("router: no resource, or a resource without the method, is no match", () => {
    expect(router.match("GET", "/requests")).toBeUndefined();
    expect(router.match("GET", "/requests/a/b")).toBeUndefined();
    expect(router.match("GET", "/")).toBeUndefined();
  });
});

describe("local VTL", () => {
  test("vtl: the stack's SendMessage template url-encodes the raw body the Java way (space -> +, !'()~ escaped)", () => {
    const body = `{"a":"b c!'()~*é"}`;
    const rendered = renderTemplate(SEND_MESSAGE_TEMPLATE, { body }, { requestId: "r" });
    expect(rendered).toBe("Action=SendMessage&MessageBody=%7B%22a%22%3A%22b+c%21%27%28%29%7E*%C3%A9%22%7D");
    expect(new URLSearchParams(rendered).get("MessageBody")).toBe(body);
  });

  test("vtl: the SendMessage template adds the trace attribute from the stage's trace id, and none when untraced", () => {
    const context = { requestId: "r", xrayTraceId: "1-5759e988-bd862e3fe1be46a994272793" };
    const form = (template: string) => new URLSearchParams(renderTemplate(template, { body: "{}" }, context));
    const traced = form(sendMessageTemplate("iam"));
    expect([traced.get("MessageAttribute.1.Name"), traced.get("MessageAttribute.1.Value.StringValue")]).toEqual([
      "trace",
      "Root=1-5759e988-bd862e3fe1be46a994272793",
    ]);
    const untraced = form(sendMessageTemplate("iam", false));
    expect([...untraced.keys()]).toEqual(["Action", "MessageBody"]);
  });

  test("vtl: $input.path navigates JSON, $input.json returns JSON text, #set lines leave no blank line", () => {
    const template =
      '#set($r = $input.path(\'$.SendMessageResponse.SendMessageResult\'))\n{"id":"$r.MessageId","raw":$input.json(\'$.list[1]\')}';
    const body = JSON.stringify({
      SendMessageResponse: { SendMessageResult: { MessageId: "m-1" } },
      list: [1, { x: "y" }],
    });
    expect(renderTemplate(template, { body }, { requestId: "r" })).toBe('{"id":"m-1","raw":{"x":"y"}}');
  });

  test("vtl: $context values render, unknown references render empty as in API Gateway", () => {
    expect(
      renderTemplate(
        "$context.requestId|$context.error.messageString|$nothing.here|",
        { body: "" },
        { requestId: "abc", error: { messageString: '"Forbidden"' } },
      ),
    ).toBe('abc|"Forbidden"||');
  });

  test("vtl: $input.params finds path, then query string, then header values", () => {
    const input = { body: "", params: { path: { id: "p" }, querystring: { q: "s" }, header: { "X-Trace": "h" } } };
    expect(
      renderTemplate("$input.params('id') $input.params('q') $input.params('x-trace')", input, { requestId: "r" }),
    ).toBe("p s h");
  });

  test("vtl: $util.escapeJavaScript escapes quotes, slashes, control and non-ASCII characters like Java", () => {
    expect(util.escapeJavaScript(`a"b'c/d\\e\nf\u00e9`)).toBe(`a\\"b\\'c\\/d\\\\e\\nf\\u00E9`);
  });

  test("jsonpath: unsupported syntax fails loudly instead of rendering something AWS would not", () => {
    expect(evaluateJsonPath({ a: [{ b: 1 }] }, "$.a[0].b")).toBe(1);
    expect(evaluateJsonPath({ a: 1 }, "$['a']")).toBe(1);
    expect(() => evaluateJsonPath({ a: [] }, "$..b")).toThrow(UnsupportedJsonPathError);
  });
});

describe("local validation and response selection", () => {
  const validator = new ModelValidator(INGEST_REQUEST_SCHEMA);

  test("validator: the ingest model accepts any JSON object", () => {
    expect(validator.check('{"a":[1,{"b":null}]}').ok).toBe(true);
  });

  test.each([
    ["[1]", "array"],
    ['"text"', "string"],
    ["42", "integer"],
    ["null", "null"],
  ])("validator: %s is rejected with API Gateway's wording for type %s", (body, type) => {
    const result = validator.check(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(validationErrorString(result.errors)).toBe(
        `[instance type (${type}) does not match any allowed primitive type (allowed: ["object"])]`,
      );
    }
  });

  test("validator: a body that is not JSON is a validation failure, and required properties are grouped", () => {
    expect(validator.check("{nope").ok).toBe(false);
    const strict = new ModelValidator({
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
      required: ["b", "a"],
    });
    const result = strict.check("{}");
    expect(result.ok ? [] : result.errors).toEqual(['object has missing required properties (["a","b"])']);
  });

  test("integration responses: the selection pattern must match the whole status; no match falls to the default", () => {
    const responses = [
      { statusCode: "202", selectionPattern: /^(?:2\d{2})$/, responseTemplates: {}, responseParameters: {} },
      { statusCode: "400", selectionPattern: /^(?:4\d{2})$/, responseTemplates: {}, responseParameters: {} },
      { statusCode: "500", selectionPattern: undefined, responseTemplates: {}, responseParameters: {} },
    ];
    expect(selectResponse(responses, "200")?.statusCode).toBe("202");
    expect(selectResponse(responses, "403")?.statusCode).toBe("400");
    expect(selectResponse(responses, "302")?.statusCode).toBe("500");
  });

  test("sqs adapter: form parameters become the JSON-protocol SendMessage input; unknown ones are refused", () => {
    const form = new URLSearchParams(
      "Action=SendMessage&MessageBody=%7B%7D&DelaySeconds=3&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
    );
    expect(toJsonSendMessage(form)).toEqual({
      input: { MessageBody: "{}", DelaySeconds: 3, MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
    });
    expect(toJsonSendMessage(new URLSearchParams("Action=SendMessage&QueueUrl=x"))).toEqual({
      problem: expect.stringContaining("QueueUrl"),
    });
  });
});

describe("local services from the synth", () => {
  test("services: each ECS service runs with its task definition's environment, references resolved to local values", () => {
    const synth = synthApp({
      services: { api: { image_tag: "1.0.0" }, processor: { image_tag: "1.0.0", poll_concurrency: 7 } },
    }).main;
    const refs = new References(synth);
    const [queue] = Object.entries(synth.resource!.aws_sqs_queue!).find(
      ([, body]) => body.redrive_policy !== undefined,
    )!;
    refs.set(`aws_sqs_queue.${queue}.url`, "http://127.0.0.1:1/000000000000/orders-prod-requests");
    const specs = serviceSpecs(synth, refs);
    const api = specs.find((s) => s.name === "api")!;
    const processor = specs.find((s) => s.name === "processor")!;
    expect(api).toMatchObject({
      behindLoadBalancer: true,
      containerPort: 8080,
      environment: { TABLE_NAME: "orders-prod-requests", PORT: "8080" },
    });
    expect(processor.behindLoadBalancer).toBe(false);
    expect(processor.environment).toMatchObject({
      QUEUE_URL: "http://127.0.0.1:1/000000000000/orders-prod-requests",
      TABLE_NAME: "orders-prod-requests",
      POLL_CONCURRENCY: "7",
    });
  });
});

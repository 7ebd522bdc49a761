import { describe, expect, test } from "vitest";
import {
  constructPath,
  field,
  isObject,
  list,
  object,
  onlyResource,
  reference,
  resources,
  show,
  statements,
  type TfJson,
} from "../../tfjson/index.js";

const doc: TfJson = {
  resource: {
    aws_sqs_queue: {
      queue_1: { "//": { metadata: { path: "main/queue/queue" } }, name: "q" },
      bare: { name: "b" },
    },
  },
  data: { aws_subnets: { tagged: { filter: [] } } },
};

describe("tfjson: reading synthesized stacks", () => {
  test("tfjson: resources have their type, name, address, construct path and body", () => {
    expect(resources(doc, "aws_sqs_queue")).toEqual([
      {
        type: "aws_sqs_queue",
        name: "queue_1",
        address: "aws_sqs_queue.queue_1",
        path: "main/queue/queue",
        body: doc.resource!.aws_sqs_queue!.queue_1,
      },
      // without construct metadata, the path falls back to the logical name
      { type: "aws_sqs_queue", name: "bare", address: "aws_sqs_queue.bare", path: "bare", body: { name: "b" } },
    ]);
  });

  test("tfjson: data sources are addressed with data., and a missing type or block is empty", () => {
    expect(resources(doc, "aws_subnets", "data").map((r) => r.address)).toEqual(["data.aws_subnets.tagged"]);
    expect(resources(doc, "aws_subnets")).toEqual([]);
    expect(resources({}, "aws_sqs_queue")).toEqual([]);
  });

  test("tfjson: a reference is ${address.attribute}", () => {
    expect(reference(resources(doc, "aws_sqs_queue")[0]!, "arn")).toBe("${aws_sqs_queue.queue_1.arn}");
    expect(reference(resources(doc, "aws_subnets", "data")[0]!, "ids")).toBe("${data.aws_subnets.tagged.ids}");
  });

  test("tfjson: statements are always a list, with Action and Resource always lists", () => {
    const single = JSON.stringify({
      Statement: { Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-west-1:123456789012:q" },
    });
    expect(statements(single)).toEqual([
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: ["arn:aws:sqs:eu-west-1:123456789012:q"] },
    ]);
    const many = JSON.stringify({
      Statement: [
        { Sid: "a", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["x", "y"] },
        { Effect: "Deny", Principal: "*", Action: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ],
    });
    expect(statements(many)).toEqual([
      { Sid: "a", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["x", "y"] },
      {
        Effect: "Deny",
        Principal: "*",
        Action: ["*"],
        Resource: [],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  test("tfjson: the construct path comes from the metadata, and is undefined without it", () => {
    expect(constructPath({ "//": { metadata: { path: "main/queue/queue" } } })).toBe("main/queue/queue");
    expect(constructPath({ "//": {} })).toBeUndefined();
    expect(constructPath({ "//": { metadata: {} } })).toBeUndefined();
    expect(constructPath({})).toBeUndefined();
  });

  test("tfjson: a null construct path reads as none, so the report names the resource by its logical name", () => {
    const body = { "//": { metadata: { path: null } }, name: "q" };
    expect(constructPath(body)).toBeUndefined();
    expect(resources({ resource: { aws_sqs_queue: { queue_1: body } } }, "aws_sqs_queue")[0]!.path).toBe("queue_1");
  });

  test("tfjson: onlyResource returns the one resource of a type, or names how many there are", () => {
    const one: TfJson = { resource: { aws_lb: { alb: { name: "a" } } } };
    expect(onlyResource(one, "aws_lb", "local", "the ALB").address).toBe("aws_lb.alb");
    expect(() => onlyResource(doc, "aws_sqs_queue", "local", "the queue")).toThrow(
      "local: expected exactly one aws_sqs_queue (the queue), the synth has 2",
    );
    expect(() => onlyResource(doc, "aws_lb", "local", "the ALB")).toThrow("the synth has 0");
  });

  test("tfjson: field follows keys as optional chaining does; list and object default to empty", () => {
    const body = { a: { b: [{ c: 1 }] }, n: null, s: "text" };
    expect(field(body, "a", "b", 0, "c")).toBe(1);
    expect(field(body, "a", "x", "c")).toBeUndefined();
    expect(field(body, "n", "c")).toBeUndefined();
    expect(field(body, "s", "length")).toBe(4);
    expect(field(undefined, "a")).toBeUndefined();
    expect(field(body)).toBe(body);
    expect(list([1, 2])).toEqual([1, 2]);
    expect(list({ 0: 1 })).toEqual([]);
    expect(list(undefined)).toEqual([]);
    expect(object({ a: 1 })).toEqual({ a: 1 });
    expect([object([1]), object(null), object("x")]).toEqual([{}, {}, {}]);
    expect([isObject({}), isObject([]), isObject(null), isObject("x")]).toEqual([true, false, false, false]);
  });

  test("tfjson: show prints a value as a template literal would", () => {
    expect([show("x"), show(443), show(true), show(undefined), show(null), show(["a", "b"])]).toEqual([
      "x",
      "443",
      "true",
      "undefined",
      "null",
      "a,b",
    ]);
  });
});

import { describe, expect, test } from "vitest";
import { reference, resources, statements, type TfJson } from "../../policy/terraform-json.js";

const doc: TfJson = {
  resource: {
    aws_sqs_queue: {
      queue_1: { "//": { metadata: { path: "main/queue/queue" } }, name: "q" },
      bare: { name: "b" },
    },
  },
  data: { aws_subnets: { tagged: { filter: [] } } },
};

describe("terraform-json: reading synthesized stacks", () => {
  test("terraform-json: resources have their type, name, address, construct path and body", () => {
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

  test("terraform-json: data sources are addressed with data., and a missing type or block is empty", () => {
    expect(resources(doc, "aws_subnets", "data").map((r) => r.address)).toEqual(["data.aws_subnets.tagged"]);
    expect(resources(doc, "aws_subnets")).toEqual([]);
    expect(resources({}, "aws_sqs_queue")).toEqual([]);
  });

  test("terraform-json: a reference is ${address.attribute}", () => {
    expect(reference(resources(doc, "aws_sqs_queue")[0]!, "arn")).toBe("${aws_sqs_queue.queue_1.arn}");
    expect(reference(resources(doc, "aws_subnets", "data")[0]!, "ids")).toBe("${data.aws_subnets.tagged.ids}");
  });

  test("terraform-json: statements are always a list, with Action and Resource always lists", () => {
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
});

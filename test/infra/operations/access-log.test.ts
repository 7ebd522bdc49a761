import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ACCESS_LOG_FORMAT } from "../../../stacks/apis/rest-api-stage.js";

/**
 * The access-log format is kept small because every call pays for its bytes; these tests hold it to what operators
 * query: every field a docs/RUNBOOK.md query on an access-log group reads is in the format.
 */

const runbook = readFileSync(new URL("../../../docs/RUNBOOK.md", import.meta.url), "utf8");

/** Each fenced query with the log group named last before it. */
function queries(): { group: string; query: string }[] {
  const found: { group: string; query: string }[] = [];
  const block = /```\n([\s\S]*?)```/g;
  let match: RegExpExecArray | null;
  while ((match = block.exec(runbook)) !== null) {
    const before = runbook.slice(0, match.index);
    const groups = [...before.matchAll(/`((?:\/aws\/apigateway|\/ecs|aws-waf-logs)[^`]*)`/g)].map((m) => m[1]!);
    if (/^fields /m.test(match[1]!)) found.push({ group: groups.at(-1) ?? "", query: match[1]! });
  }
  return found;
}

/** The fields a query reads: its `fields` list and what `stats` computes over or groups by (not @-fields). */
function fieldsRead(query: string): string[] {
  const listed = /^fields (.*)$/m
    .exec(query)![1]!
    .split(",")
    .map((f) => f.trim());
  const computed = [...query.matchAll(/\b(?:pct|avg|sum|max|min)\((\w+)/g)].map((m) => m[1]!);
  const grouped = [...query.matchAll(/\bby ([^|\n]+)/g)].flatMap((m) =>
    m[1]!.split(",").map((f) => f.trim().replace(/\s+as\s+\w+$/, "")),
  );
  return [...new Set([...listed, ...computed, ...grouped])].filter((f) => !f.startsWith("@") && !/^bin\(/.test(f));
}

const accessLogQueries = queries().filter((q) => /^\/aws\/apigateway\/.*\/access$/.test(q.group));

describe("API Gateway access logs", () => {
  test("access logs: the runbook has queries on the access-log groups (so the next test checks something)", () => {
    expect(accessLogQueries.length).toBeGreaterThanOrEqual(3);
  });

  test.each(accessLogQueries.map((q) => [q.query.split("\n")[0]!, q.query]))(
    "access logs: every field of the runbook query %s is in the format",
    (_first, query) => {
      const format = Object.keys(JSON.parse(ACCESS_LOG_FORMAT) as object);
      expect(fieldsRead(query).filter((f) => !format.includes(f))).toEqual([]);
    },
  );
});

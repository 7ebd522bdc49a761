import { randomBytes } from "node:crypto";
import type { References } from "../references.js";
import { resources, show, type TfJson } from "../../tfjson/index.js";
import { usagePlan } from "./access/access-model.js";
import type { ApiKeyModel } from "./model.js";

/** Returns the value of an API key the synth does not set (AWS would generate one); called once per key resource. */
export type KeyValueSource = (keyResource: string) => string;

/** A random local key per API key resource, shared by every API the key opens (as in AWS). */
export function randomKeyValues(): KeyValueSource {
  const values = new Map<string, string>();
  return (resource) => {
    let value = values.get(resource);
    if (!value) values.set(resource, (value = `local-${randomBytes(18).toString("base64url")}`));
    return value;
  };
}

/** Keys attached (usage plan key) to a usage plan whose api_stages include this API's stage. */
export function apiKeysFor(
  doc: TfJson,
  refs: References,
  keyValues: KeyValueSource,
  apiId: string,
  stageName: string,
): ApiKeyModel[] {
  const plans = resources(doc, "aws_api_gateway_usage_plan")
    .filter(({ name, body }) =>
      ((body.api_stages ?? []) as Record<string, string>[]).some(
        (s) =>
          refs.resolveString(s.api_id!, `aws_api_gateway_usage_plan.${name}`) === apiId &&
          refs.resolveString(s.stage!, name) === stageName,
      ),
    )
    .map(({ name, body }) => usagePlan(name, body, refs));
  return resources(doc, "aws_api_gateway_usage_plan_key")
    .flatMap(({ name, body }) => {
      const where = `aws_api_gateway_usage_plan_key.${name}`;
      const plan = plans.find((p) => p.resource === refs.resolveString(body.usage_plan_id as string, where));
      return plan ? [{ plan, keyName: refs.resolveString(body.key_id as string, where) }] : [];
    })
    .flatMap(({ plan, keyName }) => {
      const key = doc.resource?.aws_api_gateway_api_key?.[keyName];
      if (!key || key.enabled === false) return [];
      return [
        {
          resource: keyName,
          name: refs.resolveString(show(key.name ?? keyName), keyName),
          value: show(key.value ?? ""),
          plan,
        },
      ];
    })
    .map((k) => ({ ...k, value: k.value || keyValues(k.resource) }));
}

export interface LocalApiKey {
  readonly name: string;
  readonly value: string;
  /** The APIs whose usage plans hold the key. */
  readonly apis: readonly string[];
}

/** Each key once, with the APIs it opens: the keys opening the most APIs first, then by name. */
export function keysByApi(byApi: Readonly<Record<string, readonly ApiKeyModel[]>>): LocalApiKey[] {
  const keys = new Map<string, LocalApiKey>();
  for (const [api, models] of Object.entries(byApi)) {
    for (const { name, value } of models) {
      keys.set(value, { name, value, apis: [...(keys.get(value)?.apis ?? []), api] });
    }
  }
  return [...keys.values()].sort((a, b) => b.apis.length - a.apis.length || a.name.localeCompare(b.name));
}

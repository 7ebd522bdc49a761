import { onlyResource, resources, show, type TfJson } from "../tfjson/index.js";
import type { References } from "./references.js";

/** What the local stack reads from the synth's provider block and outputs. */

/** The AWS provider's region: the region every emulator and service uses. */
export function providerRegion(doc: TfJson): string {
  const providers = (doc.provider as Record<string, { region?: string }[]> | undefined)?.aws ?? [];
  const region = providers[0]?.region;
  if (!region) {
    // Fall back to the region in an integration URI (arn:aws:apigateway:<region>:...).
    const integration = onlyResource(doc, "aws_api_gateway_integration", "local", "to find the region");
    return String(integration.body.uri).split(":")[3]!;
  }
  return region;
}

/**
 * The stage an API URL output names: `${aws_api_gateway_stage.X.invoke_url}/requests` -> X, or, for an API on a custom
 * domain, `https://${aws_api_gateway_domain_name.D.domain_name}/requests` -> the stage D's base path mapping serves.
 */
export function stageOfOutput(doc: TfJson, output: string): string | undefined {
  const value = show(doc.output?.[output]?.value ?? "");
  const stage = /\$\{aws_api_gateway_stage\.([^.]+)\.invoke_url\}/.exec(value)?.[1];
  if (stage) return stage;
  const domain = /\$\{aws_api_gateway_domain_name\.([^.]+)\.domain_name\}/.exec(value)?.[1];
  const mapping = resources(doc, "aws_api_gateway_base_path_mapping").find(
    ({ body }) => show(body.domain_name) === `\${aws_api_gateway_domain_name.${domain}.domain_name}`,
  );
  return /^\$\{aws_api_gateway_stage\.([^.]+)\.stage_name\}$/.exec(show(mapping?.body.stage_name ?? ""))?.[1];
}

export function resolvableOutputs(doc: TfJson, refs: References): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(doc.output ?? {})) {
    try {
      outputs[name] = refs.resolveString(show(output.value), `output.${name}`);
    } catch {
      // ALB/NLB names, cluster and service names...: AWS-only values with no local counterpart.
    }
  }
  return outputs;
}

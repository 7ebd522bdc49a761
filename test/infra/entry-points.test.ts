/** The public and private entry points: which certificates the lookups accept, TLS policies, one URL per API. */
import { describe, expect, test } from "vitest";
import { stageOfOutput } from "../../local/stack-outputs.js";
import { addressOf, refTo, resourceAt, resourcesOf, synthApp } from "../support/synth.js";

const withDomains = { ingest_api_domain: "ingest.example.com", query_api_domain: "query.example.com" };

describe("certificates API Gateway can trust", () => {
  test("certificates: the ALB lookup takes Amazon-issued certificates only by default (never imported or private ones)", () => {
    const { main } = synthApp();
    expect(resourceAt(main, "aws_acm_certificate", "alb-certificate", "data").types).toEqual(["AMAZON_ISSUED"]);
    for (const [, integration] of resourcesOf(main, "aws_api_gateway_integration"))
      expect(integration.tls_config).toBeUndefined();
  });

  test("certificates: with a Private CA certificate, the lookup takes PRIVATE and every query integration skips chain verification", () => {
    const { main } = synthApp({ alb_certificate_issuer: "private_ca" });
    expect(resourceAt(main, "aws_acm_certificate", "alb-certificate", "data").types).toEqual(["PRIVATE"]);
    const toAlb = resourcesOf(main, "aws_api_gateway_integration").filter(([, i]) => i.connection_type === "VPC_LINK");
    expect(toAlb).toHaveLength(2);
    for (const [, integration] of toAlb) expect(integration.tls_config).toEqual({ insecure_skip_verification: true });
  });

  test("certificates: custom domains take any publicly trusted certificate (Amazon-issued or imported), not a private CA's", () => {
    const { main } = synthApp(withDomains);
    for (const id of ["ingest-domain-certificate", "query-domain-certificate"])
      expect(resourceAt(main, "aws_acm_certificate", id, "data").types).toEqual(["AMAZON_ISSUED", "IMPORTED"]);
  });
});

describe("TLS and one public entry point per API", () => {
  test("tls: the ALB listener uses AWS's AEAD-only policy with hybrid post-quantum key exchange", () => {
    const { main } = synthApp();
    expect(resourceAt(main, "aws_lb_listener", "ingress/alb-https").ssl_policy).toBe(
      "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    );
  });

  test("entry point: without a custom domain, the execute-api endpoint is the URL", () => {
    const { main } = synthApp();
    for (const api of ["ingest-api/api", "query-api/api"])
      expect(resourceAt(main, "aws_api_gateway_rest_api", api).disable_execute_api_endpoint).toBe(false);
    expect(main.output!.ingest_api_url!.value).toBe(
      `${refTo(main, "aws_api_gateway_stage", "ingest-api/stage/stage", "invoke_url")}/requests`,
    );
  });

  test("entry point: with a custom domain, the execute-api endpoint is off and the outputs give the domain's URL", () => {
    const { main } = synthApp(withDomains);
    for (const api of ["ingest-api/api", "query-api/api"])
      expect(resourceAt(main, "aws_api_gateway_rest_api", api).disable_execute_api_endpoint).toBe(true);
    expect(main.output!.query_api_url!.value).toBe(
      `https://${refTo(main, "aws_api_gateway_domain_name", "query-api/stage/domain", "domain_name")}/requests`,
    );
  });

  test("entry point: the local run still finds each output's stage through the domain's base path mapping", () => {
    for (const config of [{}, withDomains]) {
      const { main } = synthApp(config);
      for (const [output, api] of [
        ["ingest_api_url", "ingest-api"],
        ["query_api_url", "query-api"],
      ] as const)
        expect(`aws_api_gateway_stage.${stageOfOutput(main, output)}`).toBe(
          addressOf(main, "aws_api_gateway_stage", `${api}/stage/stage`),
        );
    }
  });
});

describe("ALB access logs", () => {
  test("alb logs: the prefix defaults to <project>-<environment>-alb, and a configured one is used as given", () => {
    const defaults = synthApp({ alb_access_logs_bucket: "alb-logs" }).main;
    expect(resourceAt(defaults, "aws_lb", "ingress/alb").access_logs).toEqual({
      bucket: "alb-logs",
      prefix: "orders-prod-alb",
      enabled: true,
    });
    const shared = synthApp({ alb_access_logs_bucket: "alb-logs", alb_access_logs_prefix: "teams/orders" }).main;
    expect(resourceAt(shared, "aws_lb", "ingress/alb").access_logs.prefix).toBe("teams/orders");
  });
});

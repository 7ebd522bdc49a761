import { Construct } from "constructs";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";

/** Every key type the ALB and API Gateway regional endpoints accept. */
const CERTIFICATE_KEY_TYPES = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1"];

/** Who issued the ALB's certificate, which decides whether API Gateway can verify it (config `alb_certificate_issuer`). */
export type AlbCertificateIssuer = "public" | "private_ca";

/**
 * The ACM certificate types each lookup accepts.
 * - ALB, public: API Gateway verifies a private integration's certificate against public CAs only, so the lookup
 *   takes Amazon-issued certificates. IMPORTED is left out: ACM cannot tell an imported public certificate from an
 *   imported private one, and a private one would fail every query call at request time, not at plan.
 * - ALB, private_ca: certificates from ACM Private CA; the query integrations then skip chain verification (AWS's
 *   documented option; API Gateway still checks the host name and expiry).
 * - Custom domains: clients verify these, so any publicly trusted certificate serves, Amazon-issued or imported;
 *   a private CA's would be refused by public clients.
 */
export const CERTIFICATE_TYPES = {
  albPublic: ["AMAZON_ISSUED"],
  albPrivateCa: ["PRIVATE"],
  customDomain: ["AMAZON_ISSUED", "IMPORTED"],
} as const;

export function albCertificateTypes(issuer: AlbCertificateIssuer): readonly string[] {
  return issuer === "private_ca" ? CERTIFICATE_TYPES.albPrivateCa : CERTIFICATE_TYPES.albPublic;
}

/**
 * Looks up an existing ACM certificate by domain name and type: the most recent ISSUED one, so a renewal or
 * re-issue is picked up on the next plan without editing config. When none matches, the provider stops the plan
 * with "no ACM Certificate matching domain": a read that fails runs no condition of ours, so docs/DEPLOYING.md's
 * checklist says what each lookup needs.
 */
export function lookupCertificate(
  scope: Construct,
  id: string,
  domain: string,
  types: readonly string[],
): DataAwsAcmCertificate {
  return new DataAwsAcmCertificate(scope, id, {
    domain,
    statuses: ["ISSUED"],
    types: [...types],
    // ACM lists only RSA_1024/RSA_2048 certificates unless asked for others: without this an ECDSA or larger RSA
    // certificate would be "not found".
    keyTypes: CERTIFICATE_KEY_TYPES,
    mostRecent: true,
  });
}

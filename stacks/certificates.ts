import { Construct } from "constructs";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";

/** Every key type the ALB and API Gateway regional endpoints accept. */
const CERTIFICATE_KEY_TYPES = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1"];

/**
 * Looks up an existing ACM certificate by domain name: the most recent ISSUED one, so a renewal or re-issue is
 * picked up on the next plan without editing config.
 */
export function lookupCertificate(scope: Construct, id: string, domain: string): DataAwsAcmCertificate {
  return new DataAwsAcmCertificate(scope, id, {
    domain,
    statuses: ["ISSUED"],
    // ACM lists only RSA_1024/RSA_2048 certificates unless asked for others: without this an ECDSA or larger RSA
    // certificate would be "not found".
    keyTypes: CERTIFICATE_KEY_TYPES,
    mostRecent: true,
  });
}

import { Construct } from "constructs";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";

/**
 * Looks up an existing ACM certificate by domain name: the most recent ISSUED one, so a renewal or re-issue is
 * picked up on the next plan without editing config.
 */
export function lookupCertificate(scope: Construct, id: string, domain: string): DataAwsAcmCertificate {
  return new DataAwsAcmCertificate(scope, id, {
    domain,
    statuses: ["ISSUED"],
    mostRecent: true,
  });
}

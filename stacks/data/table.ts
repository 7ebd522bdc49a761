import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";

export interface RequestTableProps {
  readonly name: string;
  /** Refuse `terraform destroy` / replacement of the table. @default true */
  readonly deletionProtection?: boolean;
  /** Attribute holding an epoch-seconds expiry; items past it are deleted by DynamoDB. @default no TTL */
  readonly ttlAttribute?: string | null;
}

/** Partition key of the results table: the SQS MessageId, which is the requestId clients receive. */
export const TABLE_HASH_KEY = "requestId";

/** The results table: on-demand, point-in-time recovery, encrypted, protected from deletion. */
export class RequestTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: RequestTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, "table", {
      name: props.name,
      billingMode: "PAY_PER_REQUEST",
      hashKey: TABLE_HASH_KEY,
      attribute: [{ name: TABLE_HASH_KEY, type: "S" }],
      pointInTimeRecovery: { enabled: true },
      // Encrypted with the AWS-managed DynamoDB key (explicit, so the plan shows it).
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection ?? true,
      ...(props.ttlAttribute ? { ttl: { enabled: true, attributeName: props.ttlAttribute } } : {}),
    });
  }
}

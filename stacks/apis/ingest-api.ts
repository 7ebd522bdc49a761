import { Construct } from "constructs";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayModel } from "@cdktf/provider-aws/lib/api-gateway-model";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethodResponse } from "@cdktf/provider-aws/lib/api-gateway-method-response";
import { ApiGatewayIntegrationResponse } from "@cdktf/provider-aws/lib/api-gateway-integration-response";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { ServiceRole } from "../shared/iam.js";
import type { Authorization, AuthorizationMode } from "../../config/authorization-fields.js";
import { apiDefinition, createRestApi } from "./rest-api.js";
import { ApiAuthorization, type ApiRoute } from "./authorization.js";
import { sendMessageTemplate } from "./send-message-template.js";
import { RestApiStage, type RestApiStageProps } from "./rest-api-stage.js";

export interface IngestApiProps extends Omit<RestApiStageProps, "api" | "definition"> {
  readonly name: string;
  /** Name of the role API Gateway assumes to send to the queue (IAM names are account-global). */
  readonly roleName: string;
  readonly queue: SqsQueue;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Require an API key on POST /requests. @default true */
  readonly apiKeyRequired?: boolean;
  /** The credential POST /requests requires, and who owns a request. */
  readonly authorization: { readonly mode: AuthorizationMode; readonly settings: Authorization };
  /** The services trace (`tracing.sample_rate` above 0): each message carries the request's trace attribute. */
  readonly traced: boolean;
}

/** The ingest API's one request method. */
export const INGEST_ROUTE: ApiRoute = { httpMethod: "POST", path: "/requests", access: "write" };

/** Any JSON object is a valid request; arrays, strings, numbers and null are rejected with a 400 before SQS. */
export const INGEST_REQUEST_SCHEMA = {
  $schema: "http://json-schema.org/draft-04/schema#",
  title: "IngestRequest",
  description: "Any JSON object; it is stored unchanged as the item's payload.",
  type: "object",
};

/** The SendMessage template of the default mode, `"iam"` (stacks/apis/owner.ts builds one per mode). */
export const SEND_MESSAGE_TEMPLATE = sendMessageTemplate("iam");

/** SQS answered 2xx: hand the MessageId back as the requestId the client polls with. */
const ACCEPTED_TEMPLATE = `#set($result = $input.path('$.SendMessageResponse.SendMessageResult'))
{"requestId":"$result.MessageId"}`;

/**
 * SQS errors never become a 2xx. SQS's 400 (e.g. a body over 256 KiB or with characters SQS refuses) is the client's
 * to fix -> 400; 5xx -> 503 (retry later); anything else, such as a 403 from a broken role, is ours -> 500.
 */
const ERROR_RESPONSES = [
  {
    statusCode: "400",
    selectionPattern: "400",
    error: "rejected",
    message: "The queue rejected the message (too large or invalid characters).",
  },
  {
    statusCode: "503",
    selectionPattern: "5\\d{2}",
    error: "unavailable",
    message: "The queue is unavailable; retry later.",
  },
  { statusCode: "500", selectionPattern: undefined, error: "internal_error", message: "The request was not queued." },
] as const;

/**
 * REST API #1: `POST /requests` -> SQS SendMessage as a direct AWS service integration (no Lambda).
 * Returns `202 {"requestId": <SQS MessageId>}`; the body must be a JSON object.
 */
export class IngestApi extends Construct {
  readonly stage: RestApiStage;
  readonly access: ApiAuthorization;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const { api, validator } = createRestApi(this, {
      name: props.name,
      description: "Ingest API: POST /requests puts the JSON body on the request queue",
      validate: "body",
      hasCustomDomain: Boolean(props.customDomain),
    });
    this.access = new ApiAuthorization(this, "authorization", {
      ...props,
      ...props.authorization,
      api,
      routes: [INGEST_ROUTE],
      openRoutes: [],
    });
    const role = new ServiceRole(this, "sqs-role", {
      name: props.roleName,
      servicePrincipal: "apigateway.amazonaws.com",
      statements: [{ actions: ["sqs:SendMessage"], resources: [props.queue.arn] }],
    });
    const model = new ApiGatewayModel(this, "request-model", {
      restApiId: api.id,
      name: "IngestRequest",
      contentType: "application/json",
      schema: JSON.stringify(INGEST_REQUEST_SCHEMA),
    });
    const requests = new ApiGatewayResource(this, "requests", {
      restApiId: api.id,
      parentId: api.rootResourceId,
      pathPart: "requests",
    });
    const method = new ApiGatewayMethod(this, "post-requests", {
      restApiId: api.id,
      resourceId: requests.id,
      httpMethod: INGEST_ROUTE.httpMethod,
      ...this.access.credential(INGEST_ROUTE.access),
      apiKeyRequired: props.apiKeyRequired ?? true,
      requestValidatorId: validator.id,
      requestModels: { "application/json": model.name },
    });
    const integration = new ApiGatewayIntegration(this, "send-message", {
      restApiId: api.id,
      resourceId: requests.id,
      httpMethod: method.httpMethod,
      type: "AWS",
      integrationHttpMethod: "POST",
      uri: `arn:${props.partition}:apigateway:${props.region}:sqs:path/${props.accountId}/${props.queue.name}`,
      credentials: role.arn,
      requestParameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
      requestTemplates: { "application/json": sendMessageTemplate(props.authorization.mode, props.traced) },
      // A content type without a template is refused (415) instead of being passed to SQS unmapped.
      passthroughBehavior: "NEVER",
    });

    const responses = [
      { statusCode: "202", selectionPattern: "2\\d{2}", template: ACCEPTED_TEMPLATE },
      ...ERROR_RESPONSES.map((r) => ({
        statusCode: r.statusCode,
        selectionPattern: r.selectionPattern,
        template: `{"error":"${r.error}","message":"${r.message}","requestId":"$context.requestId"}`,
      })),
    ];
    for (const response of responses) {
      const methodResponse = new ApiGatewayMethodResponse(this, `response-${response.statusCode}`, {
        restApiId: api.id,
        resourceId: requests.id,
        httpMethod: method.httpMethod,
        statusCode: response.statusCode,
        responseModels: { "application/json": "Empty" },
      });
      new ApiGatewayIntegrationResponse(this, `integration-response-${response.statusCode}`, {
        restApiId: api.id,
        resourceId: requests.id,
        httpMethod: method.httpMethod,
        statusCode: response.statusCode,
        ...(response.selectionPattern ? { selectionPattern: response.selectionPattern } : {}),
        responseTemplates: { "application/json": response.template },
        dependsOn: [integration, methodResponse],
      });
    }

    this.stage = new RestApiStage(this, "stage", { ...props, api, definition: apiDefinition(this) });
  }
}

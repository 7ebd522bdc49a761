import type { AuthorizationMode } from "../../config/authorization-fields.js";
import { OWNER_VELOCITY } from "./owner.js";
import { TRACE_ATTRIBUTE_NAME, TRACE_VELOCITY } from "./trace-attribute.js";

/** A String message attribute: its name and the Velocity variable holding its value (sent only when not empty). */
interface MessageAttribute {
  readonly name: string;
  readonly variable: string;
}

/** The attributes every message carries when known; each is numbered `MessageAttribute.N` in order of presence. */
const MESSAGE_ATTRIBUTES: readonly MessageAttribute[] = [
  { name: "owner", variable: "$owner" },
  { name: TRACE_ATTRIBUTE_NAME, variable: "$trace" },
];

/**
 * `MessageAttribute.N.*` for one attribute, numbered by `$n`, which counts the attributes sent so far. `$!{n}`, not
 * `$n` (`$n.Name` would read a property) nor the formal `$` + `{n}` (Terraform would take it for an interpolation).
 */
const attributeVelocity = ({ name, variable }: MessageAttribute) =>
  `#if(${variable} != "")#set($n = $n + 1)&MessageAttribute.$!{n}.Name=${name}&MessageAttribute.$!{n}.Value.DataType=String&MessageAttribute.$!{n}.Value.StringValue=$util.urlEncode(${variable})#end`;

/**
 * SQS SendMessage as a form-encoded Query API call: the raw JSON body becomes the message body, the owner becomes
 * the `owner` attribute and the message group id (SQS fair queues then keep one noisy owner from delaying the others
 * on the standard queue), and, when the services trace (`traced`), the request's X-Ray trace becomes the `trace`
 * attribute. The stages always trace, so `$context.xrayTraceId` is always set: with tracing off the template leaves
 * the attribute out rather than send a trace nothing reads. One line: every character outside the directives is
 * part of the form body.
 */
export function sendMessageTemplate(mode: AuthorizationMode, traced = true): string {
  const attributes = traced ? MESSAGE_ATTRIBUTES : MESSAGE_ATTRIBUTES.filter((a) => a.name !== TRACE_ATTRIBUTE_NAME);
  return [
    OWNER_VELOCITY[mode](),
    traced ? TRACE_VELOCITY : "",
    "#set($n = 0)",
    "Action=SendMessage&MessageBody=$util.urlEncode($input.body)",
    '#if($owner != "")&MessageGroupId=$util.urlEncode($owner)#end',
    ...attributes.map(attributeVelocity),
  ].join("");
}

import { resources, type TfJson } from "../../tfjson/index.js";

/** Edits to synthesized JSON that break a policy control on purpose (a check that cannot fail proves nothing). */

/** The first resource of a type in a stack; mutations edit it in place. */
export const first = (doc: TfJson, type: string, pick: (body: any) => boolean = () => true) => {
  const found = resources(doc, type).find((r) => pick(r.body));
  if (!found) throw new Error(`no ${type} to mutate`);
  return found.body as any;
};
/** Edits the first task's service container (the first; the trace collector, when there is one, follows it). */
export const editContainers = (doc: TfJson, edit: (container: any) => void) => {
  const task = first(doc, "aws_ecs_task_definition");
  const list = JSON.parse(task.container_definitions);
  edit(list[0]);
  task.container_definitions = JSON.stringify(list);
};
export const editPolicy = (body: any, key: string, edit: (document: any) => void) => {
  const document = JSON.parse(body[key]);
  edit(document);
  body[key] = JSON.stringify(document);
};

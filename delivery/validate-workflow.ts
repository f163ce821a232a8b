/**
 * A workflow checked the way GitHub checks it, offline: @actions/workflow-parser (the parser behind GitHub's own
 * Actions language service) validates keys, value types and which contexts each expression may use, then
 * converts the template as the runner would. It is an ES module, hence the dynamic import.
 */
import type { WorkflowFile } from "./workflow-files";

/** Every problem GitHub would report for the file (empty when it is valid). */
export async function workflowSchemaErrors(file: Pick<WorkflowFile, "path" | "text">): Promise<string[]> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");
  const parsed = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : [`${file.path}: not a workflow`];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return (template.errors ?? []).map((e) => e.Message);
}

/** Every problem GitHub would report for a local action's action.yml. */
export async function actionSchemaErrors(file: { readonly path: string; readonly text: string }): Promise<string[]> {
  const { NoOperationTraceWriter } = await import("@actions/workflow-parser");
  const { parseAction, convertActionTemplate } = await import("@actions/workflow-parser/actions/index");
  const parsed = parseAction({ name: file.path, content: file.text }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || parsed.value === undefined) return errors.length > 0 ? errors : [`${file.path}: not an action`];
  convertActionTemplate(parsed.context, parsed.value);
  return parsed.context.errors.getErrors().map((e) => e.message);
}

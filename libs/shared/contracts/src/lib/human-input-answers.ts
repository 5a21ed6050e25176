// The check of a person's answer against an agent's form, without zod: the console's question
// form uses it in the first load (see src/plain.ts), the api before it stores an answer.
import type { AnswerHumanInputInput, HumanInputRequest } from './schemas';

/** Checks answers against the form: required fields present, kinds and select options respected. */
export function humanInputAnswerIssues(
  request: HumanInputRequest,
  values: AnswerHumanInputInput['values'],
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const known = new Set(request.fields.map((f) => f.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name))
      issues.push({ path: `values.${name}`, message: 'not a field of this form' });
  }
  for (const field of request.fields) {
    const value = values[field.name];
    const path = `values.${field.name}`;
    if (value === undefined || value === '') {
      if (field.required) issues.push({ path, message: 'required' });
      continue;
    }
    if (field.kind === 'boolean' && typeof value !== 'boolean')
      issues.push({ path, message: 'must be true or false' });
    if (field.kind !== 'boolean' && typeof value !== 'string')
      issues.push({ path, message: 'must be text' });
    if (field.kind === 'text' && typeof value === 'string' && value.length > 1000)
      issues.push({ path, message: 'at most 1000 characters' });
    if (field.kind === 'select' && !field.options?.includes(String(value))) {
      issues.push({ path, message: `must be one of: ${field.options?.join(', ')}` });
    }
  }
  return issues;
}

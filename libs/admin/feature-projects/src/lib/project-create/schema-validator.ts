import type { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import type { ZodType } from 'zod';

interface IssueLike {
  code: string;
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
}

/** Zod's default wording is for developers; a form field wants a short sentence. */
export function describeIssue(issue: IssueLike): string {
  if (issue.code === 'too_small' && Number(issue.minimum) === 1) return 'Required';
  if (issue.code === 'too_big' && issue.maximum !== undefined) {
    return `At most ${Number(issue.maximum).toLocaleString('en-US')} characters`;
  }
  return issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
}

/**
 * Validates a control with the same schema the api applies, so client and server agree on
 * what a valid field is. The error is stored under `schema` as a ready-to-show message.
 */
export function schemaValidator(schema: ZodType): ValidatorFn {
  return (control: AbstractControl): ValidationErrors | null => {
    const result = schema.safeParse(control.value);
    if (result.success) return null;
    const [first] = result.error.issues;
    return { schema: first ? describeIssue(first) : 'Invalid value' };
  };
}

/** The message to show under a field: the server's verdict wins over the client's. */
export function errorMessage(errors: ValidationErrors | null): string | null {
  if (!errors) return null;
  const message: unknown = errors['server'] ?? errors['schema'];
  return typeof message === 'string' ? message : null;
}

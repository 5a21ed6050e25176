import { ApiErrorIssue, UuidSchema } from '@autocoder/shared-contracts';
import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import type { ZodError } from 'zod';

function issuesOf(error: ZodError, prefix: string): ApiErrorIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

/**
 * Validates every @Body/@Query typed with a zod DTO; strict schemas reject unknown fields.
 * Failures are 400 with one issue per field.
 */
export const ApiValidationPipe = createZodValidationPipe({
  strictSchemaDeclaration: false,
  createValidationException: (error: unknown) => {
    const zodError = error as ZodError;
    return new BadRequestException({
      message: 'The request is not valid.',
      issues: issuesOf(zodError, 'request'),
    });
  },
});

/** Path ids are UUIDs; anything else is a 400 naming the parameter, never a database error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    const parsed = UuidSchema.safeParse(value);
    if (!parsed.success) {
      const name = metadata.data ?? 'id';
      throw new BadRequestException({
        message: `Path parameter "${name}" must be a UUID.`,
        issues: [{ path: `params.${name}`, message: 'must be a UUID' }],
      });
    }
    return parsed.data;
  }
}

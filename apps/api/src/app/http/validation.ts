import { ApiErrorIssue, UuidSchema } from '@autocoder/shared-contracts';
import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import type { ZodError, ZodType } from 'zod';

/** Field-level reasons, with the part of the request they are in (body.steps.2, query.limit). */
function issuesOf(error: ZodError, where: string): ApiErrorIssue[] {
  return error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)];
    // Unknown fields are reported one by one, each at its own path.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...base, key].join('.'),
        message: 'unknown field',
      }));
    }
    return [{ path: base.join('.'), message: issue.message }];
  });
}

function schemaOf(metatype: unknown): ZodType | undefined {
  const schema: unknown = (metatype as { schema?: unknown } | undefined)?.schema;
  return (metatype as { isZodDto?: unknown } | undefined)?.isZodDto === true
    ? (schema as ZodType)
    : undefined;
}

/**
 * Validates every @Body and @Query typed with a DTO made by createZodDto (the same schema
 * generates the OpenAPI description); the contract's strict schemas reject unknown fields.
 * Failures are 400 with one issue per field.
 */
@Injectable()
export class ApiValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = schemaOf(metadata.metatype);
    if (!schema || (metadata.type !== 'body' && metadata.type !== 'query')) return value;
    // A POST without a body arrives as undefined; validate it as an empty object.
    const parsed = schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    throw new BadRequestException({
      message: `The request ${metadata.type} is not valid.`,
      issues: issuesOf(parsed.error, metadata.type),
    });
  }
}

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

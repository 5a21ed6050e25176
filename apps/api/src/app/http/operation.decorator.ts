import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiExtension, ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';

/** Where @Operation leaves the success answer for openApiDocument (removed from the output). */
export const RETURNS_EXTENSION = 'x-autocoder-returns';
/** Where @Operation leaves the route's own error answers for openApiDocument (removed too). */
export const ERRORS_EXTENSION = 'x-autocoder-errors';

/** Error answers only some routes give, documented where @Operation names them. */
export type ExtraErrorStatus = '422';

/** What openApiDocument reads from RETURNS_EXTENSION. */
export type ReturnsMark =
  | { kind: 'json'; schema: string; array: boolean }
  | { kind: 'text' | 'binary'; produces: string[] };

/** A success answer that is not JSON (a diff, a CSV export, an archive): its bytes as a string. */
export type RawAnswer = 'text' | 'binary';

export interface OperationOptions<S extends z.ZodType | RawAnswer> {
  /**
   * The answer's view schema from the contracts (`FeatureViewSchema`, `z.array(RunViewSchema)`),
   * a raw answer (of the media types in `produces`), or nothing (no body, or one that others
   * document, such as the health checks' reports).
   */
  returns?: S;
  /** Media types of a raw answer (default text/plain, application/octet-stream). */
  produces?: string[];
  /** The status of success when it is not Nest's default (201 for POST, 200 otherwise). */
  status?: number;
  /** Longer text than the summary. */
  description?: string;
  /** Error answers besides those that follow from the route (see openApiDocument). */
  errors?: ExtraErrorStatus[];
}

/**
 * What the handler may return: the schema's type, or nothing when it answers through @Res. Raw
 * answers and routes documented elsewhere (health reports) are not checked.
 */
type AnswerOf<S> = [S] extends [never]
  ? unknown
  : S extends z.ZodType
    ? z.output<S> | void
    : unknown;
type HandlerOf<S> = (...args: never[]) => AnswerOf<S> | Promise<AnswerOf<S>>;

/** The schema's name in the document (components.schemas), from its `.meta({ id })`. */
export function schemaId(schema: z.ZodType): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('a response schema needs .meta({ id }) to be named in the document');
  return id;
}

function mark(
  returns: z.ZodType | RawAnswer | undefined,
  produces: string[] | undefined,
): ReturnsMark | undefined {
  if (returns === undefined) return undefined;
  if (returns === 'text') return { kind: 'text', produces: produces ?? ['text/plain'] };
  if (returns === 'binary') {
    return { kind: 'binary', produces: produces ?? ['application/octet-stream'] };
  }
  const array = returns instanceof z.ZodArray;
  return {
    kind: 'json',
    schema: schemaId(array ? (returns.element as z.ZodType) : returns),
    array,
  };
}

/**
 * Documents an operation: its summary and its success answer, from the same zod schema as the
 * contracts' view type, which the handler must return (checked by the compiler). The error
 * answers, security and success status follow from the route (see openApiDocument). `status`
 * also sets the route's @HttpCode, so the document and the answer cannot disagree.
 */
export function Operation<S extends z.ZodType | RawAnswer = never>(
  summary: string,
  options: OperationOptions<S> = {},
): (
  target: object,
  key: string | symbol,
  descriptor: Pick<TypedPropertyDescriptor<HandlerOf<S>>, 'value'>,
) => void {
  const returns = mark(options.returns, options.produces);
  return applyDecorators(
    ApiOperation({ summary, ...(options.description ? { description: options.description } : {}) }),
    ...(returns ? [ApiExtension(RETURNS_EXTENSION, returns)] : []),
    ...(options.status ? [HttpCode(options.status)] : []),
    ...(options.errors?.length ? [ApiExtension(ERRORS_EXTENSION, options.errors)] : []),
  );
}

import { ApiErrorBodySchema } from '@autocoder/shared-contracts';
import { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
  type ResponsesObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { z } from 'zod';
import {
  ERRORS_EXTENSION,
  ExtraErrorStatus,
  RETURNS_EXTENSION,
  ReturnsMark,
  schemaId,
} from './operation.decorator';

/** The security schemes' names: @Allow refers to them (ApiBearerAuth('bearer'), ApiCookieAuth('cookie')). */
const BEARER_SCHEME = 'bearer';
const COOKIE_SCHEME = 'cookie';

const errorRef = { $ref: `#/components/schemas/${schemaId(ApiErrorBodySchema)}` };

/** The error answers, each in the one shape ApiExceptionFilter gives every error. */
const ERRORS = {
  '400': ['BadRequest', 'The path, query or body is not valid (`issues` names each field).'],
  '401': ['Unauthorized', 'Not signed in, or the token is invalid, expired or revoked.'],
  '403': [
    'Forbidden',
    'The role does not allow it, the API token is for another project, or the CSRF header of a console session is missing.',
  ],
  '404': ['NotFound', 'Nothing with that id (in that project).'],
  '409': ['Conflict', 'Not in this state (e.g. agents running, a dependency cycle, a name taken).'],
  '422': [
    'UnprocessableEntity',
    'Well-formed, but what it names cannot be used (e.g. a git remote that cannot be reached with the credential given).',
  ],
  '429': ['TooManyRequests', 'Rate limited, or too many refused credentials; see Retry-After.'],
} as const;
type ErrorStatus = keyof typeof ERRORS;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * The api's OpenAPI 3.1 description: built from the controllers' decorators and the contracts'
 * zod schemas (request DTOs and, through @Operation, the answers), then completed per operation
 * from what the route is: its success answer, its error answers and its security.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('AutoCoder API')
    .setDescription(
      'Projects, feature backlogs, dependencies and agent runs. Every error answers with an `ApiErrorBody`.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer('/', 'This deployment')
    .addSecurity(BEARER_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description:
        "An access token (JWT) of the deployment's identity provider, or a personal API token (`acp_…`, POST /api/v1/api-tokens).",
    })
    .addSecurity(COOKIE_SCHEME, {
      type: 'apiKey',
      in: 'cookie',
      // `__Host-autocoder.sid` when the console is served over HTTPS.
      name: 'autocoder.sid',
      description:
        'The console session after signing in at /api/v1/auth/login; requests that change something also send the `XSRF-TOKEN` cookie back as the `X-XSRF-TOKEN` header.',
    })
    .build();
  const document = cleanupOpenApiDoc(SwaggerModule.createDocument(app, config), { version: '3.1' });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...viewSchemas() },
    responses: Object.fromEntries(
      Object.values(ERRORS).map(([name, description]) => [
        name,
        { description, content: { 'application/json': { schema: errorRef } } },
      ]),
    ),
  };
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation) completeOperation(operation, method);
    }
  }
  return withoutNullable(document);
}

/**
 * OpenAPI 3.0's `nullable: true`, which libraries still write (terminus's health reports), as
 * 3.1 says it: `null` among the types.
 */
function withoutNullable<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutNullable) as T;
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, withoutNullable(v)]));
  if (nullable === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  return out as T;
}

/**
 * Every contracts schema with an id (the views, ApiErrorBody) as JSON Schema 2020-12, which
 * OpenAPI 3.1 uses, referring to each other by component. As written by the api: no unknown
 * fields are promised away (additionalProperties), and integers carry no safe-integer bounds.
 */
function viewSchemas(): Record<string, SchemaObject> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    override: ({ jsonSchema }) => {
      if (jsonSchema.type !== 'integer') return;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      // JSON Schema's own keys: in the document, the component's name says what it is.
      const rest: Record<string, unknown> = { ...schema };
      delete rest['$schema'];
      delete rest['$id'];
      return [id, rest as SchemaObject];
    }),
  );
}

function completeOperation(operation: OperationObject, method: (typeof METHODS)[number]): void {
  const ext = operation as OperationObject & Record<string, unknown>;
  const returns = ext[RETURNS_EXTENSION] as ReturnsMark | undefined;
  delete ext[RETURNS_EXTENSION];
  const extraErrors = (ext[ERRORS_EXTENSION] as ExtraErrorStatus[] | undefined) ?? [];
  delete ext[ERRORS_EXTENSION];
  const responses: ResponsesObject = operation.responses;
  setSuccess(responses, returns);

  // Public routes say so (no security); the others accept a bearer token or the console session.
  const secured = (operation.security?.length ?? 0) > 0;
  if (!secured) operation.security = [];

  const errors = new Set<ErrorStatus>();
  const params = operation.parameters ?? [];
  if (params.length > 0 || operation.requestBody) errors.add('400');
  if (params.some((p) => 'in' in p && p.in === 'path')) errors.add('404');
  // Every route is rate limited: per IP when anonymous, per user or token when signed in.
  errors.add('429');
  if (secured) {
    errors.add('401');
    errors.add('403');
  }
  // A change can meet a state that refuses it (agents running, a cycle, a name taken).
  if (secured && method !== 'get' && (params.length > 0 || operation.requestBody))
    errors.add('409');
  for (const status of extraErrors) errors.add(status);
  for (const status of errors) {
    responses[status] = { $ref: `#/components/responses/${ERRORS[status][0]}` };
  }
}

/**
 * The success answer at the route's status: swagger's own entry (from @HttpCode, else 201 for
 * POST, else 200; or a library's, as terminus's health reports), with @Operation's schema.
 */
function setSuccess(responses: ResponsesObject, returns: ReturnsMark | undefined): void {
  const status = Object.keys(responses).find((code) => /^2\d\d$/.test(code));
  if (!status) throw new Error('an operation without a success status');
  const existing = responses[status] as ResponseObject;
  const description = existing.description || (returns || existing.content ? 'Success.' : 'Done.');
  if (!returns) {
    responses[status] = { ...existing, description };
    return;
  }
  const schema =
    returns.kind === 'json'
      ? returns.array
        ? { type: 'array' as const, items: { $ref: `#/components/schemas/${returns.schema}` } }
        : { $ref: `#/components/schemas/${returns.schema}` }
      : returns.kind === 'binary'
        ? { type: 'string' as const, contentMediaType: 'application/octet-stream' }
        : { type: 'string' as const };
  const mediaTypes = returns.kind === 'json' ? ['application/json'] : returns.produces;
  responses[status] = {
    description,
    content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])),
  };
}

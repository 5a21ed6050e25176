import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The request id pino-http assigned (from X-Request-Id or generated). */
export const RequestId = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string | undefined => {
    const id: unknown = ctx.switchToHttp().getRequest<{ id?: unknown }>().id;
    return typeof id === 'string' ? id : undefined;
  },
);

import { QueueName } from '@autocoder/shared-contracts';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import { QueueBoardAccess } from './queue-board-access';

/**
 * Where the queue view is mounted, under the api's global prefix. The leading slash matters:
 * BullBoardModule joins the global prefix and the route without one (the page's base href).
 */
export const QUEUE_BOARD_ROUTE = '/admin/queues';

/** The board's full path for a global prefix (`api/v1` → `/api/v1/admin/queues`). */
export function queueBoardPath(globalPrefix: string): string {
  return `/${[globalPrefix, QUEUE_BOARD_ROUTE].filter(Boolean).join('/')}`.replace(/\/+/g, '/');
}

/** QueueBoardAccess where BullBoardModule's factory can inject it (AuthGuard and AuditService are global). */
@Module({ providers: [QueueBoardAccess], exports: [QueueBoardAccess] })
class QueueBoardAccessModule {}

/**
 * bull-board (the queue view: every queue of the contract, its jobs and their states) at
 * /<globalPrefix>/admin/queues, UI and JSON API, for admins only; every change is audited
 * (QueueBoardAccess). Needs QueueModule, AuthModule and AuditModule.
 */
@Module({})
export class QueueBoardModule {
  static forRoot(options: { globalPrefix: string }): DynamicModule {
    const basePath = queueBoardPath(options.globalPrefix);
    return {
      module: QueueBoardModule,
      imports: [
        BullBoardModule.forRootAsync({
          imports: [QueueBoardAccessModule],
          inject: [QueueBoardAccess],
          useFactory: (access: QueueBoardAccess) => ({
            route: QUEUE_BOARD_ROUTE,
            adapter: ExpressAdapter,
            middleware: access.middleware(basePath),
            boardOptions: {
              uiConfig: { boardTitle: 'AutoCoder queues', hideDocsLink: true },
            },
          }),
        }),
        ...Object.values(QueueName).map((name) =>
          BullBoardModule.forFeature({ name, adapter: BullMQAdapter }),
        ),
      ],
    };
  }
}

import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { MergeQueueService } from './merge-queue.service';

export interface MergeQueueModuleOptions {
  imports?: ModuleMetadata['imports'];
  /**
   * Must provide INTEGRATION_TREES (an OpenIntegrationTree) and MERGE_MESSAGE (a MergeMessage);
   * may provide MERGE_QUEUE_TUNING. Needs DbModule and ConfigModule (both global) in the app.
   */
  providers: Provider[];
}

/** The merge queue (MergeQueueService) over the git layer the app provides. */
@Module({})
export class MergeQueueModule {
  static register(options: MergeQueueModuleOptions): DynamicModule {
    return {
      module: MergeQueueModule,
      imports: options.imports ?? [],
      providers: [...options.providers, MergeQueueService],
      exports: [MergeQueueService],
    };
  }
}

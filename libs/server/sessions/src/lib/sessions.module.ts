import { CodeModule, mergeMessage } from '@autocoder/server-code';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { FeatureToolsModule } from '@autocoder/server-feature-tools';
import { OrchestrationModule } from '@autocoder/server-orchestration';
import { MERGE_MESSAGE, MergeMessage, MergeQueueModule } from '@autocoder/server-merge-queue';
import { DynamicModule, Module } from '@nestjs/common';
import { ActiveSessions } from './active-sessions';
import { CodingSessionService } from './coding-session.service';
import { InitializerSessionService } from './initializer-session.service';
import { Sandboxes } from '@autocoder/server-sandbox';
import { SessionProviders } from './session-base';
import { sandboxesFromConfig } from './session-sandbox';
import { integrationTreesProvider } from './integration-trees';
import { TestingSessionService } from './testing-session.service';
import { SESSION_PROVIDER } from './tokens';

const SESSIONS = [
  ActiveSessions,
  InitializerSessionService,
  CodingSessionService,
  TestingSessionService,
];

/** The runner's one Sandboxes (sessions and the merge queue's verifications share it). */
@Module({
  providers: [{ provide: Sandboxes, inject: [APP_CONFIG], useFactory: sandboxesFromConfig }],
  exports: [Sandboxes],
})
export class SandboxesModule {}

const mergeCommitMessage: MergeMessage = (r) =>
  mergeMessage({ id: r.featureId, name: r.featureName }, { id: r.runId });

/** The merge queue over this runner's cache clones: batches verified in sandboxes. */
const mergeQueue = MergeQueueModule.register({
  imports: [CodeModule, SandboxesModule],
  providers: [integrationTreesProvider, { provide: MERGE_MESSAGE, useValue: mergeCommitMessage }],
});

/** The sessions themselves, for the runner, with the model providers of its configuration. */
@Module({})
export class SessionsModule {
  static forRoot(createProviders: (config: AppConfig) => SessionProviders): DynamicModule {
    return {
      module: SessionsModule,
      imports: [OrchestrationModule, CodeModule, FeatureToolsModule, SandboxesModule, mergeQueue],
      providers: [
        { provide: SESSION_PROVIDER, inject: [APP_CONFIG], useFactory: createProviders },
        ...SESSIONS,
      ],
      exports: [
        OrchestrationModule,
        CodeModule,
        FeatureToolsModule,
        SandboxesModule,
        mergeQueue,
        ...SESSIONS,
      ],
    };
  }
}

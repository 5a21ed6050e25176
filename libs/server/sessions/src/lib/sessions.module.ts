import { CodeModule } from '@autocoder/server-code';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { FeatureToolsModule } from '@autocoder/server-feature-tools';
import { OrchestrationModule } from '@autocoder/server-orchestration';
import { DynamicModule, Module } from '@nestjs/common';
import { ActiveSessions } from './active-sessions';
import { CodingSessionService } from './coding-session.service';
import { InitializerSessionService } from './initializer-session.service';
import { Sandboxes } from '@autocoder/server-sandbox';
import { SessionProviders } from './session-base';
import { sandboxesFromConfig } from './session-sandbox';
import { TestingSessionService } from './testing-session.service';
import { SESSION_PROVIDER } from './tokens';

const SESSIONS = [
  ActiveSessions,
  InitializerSessionService,
  CodingSessionService,
  TestingSessionService,
];

/** The sessions themselves, for the runner, with the model providers of its configuration. */
@Module({})
export class SessionsModule {
  static forRoot(createProviders: (config: AppConfig) => SessionProviders): DynamicModule {
    return {
      module: SessionsModule,
      imports: [OrchestrationModule, CodeModule, FeatureToolsModule],
      providers: [
        { provide: SESSION_PROVIDER, inject: [APP_CONFIG], useFactory: createProviders },
        { provide: Sandboxes, inject: [APP_CONFIG], useFactory: sandboxesFromConfig },
        ...SESSIONS,
      ],
      exports: [OrchestrationModule, CodeModule, FeatureToolsModule, Sandboxes, ...SESSIONS],
    };
  }
}

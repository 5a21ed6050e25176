import { ChatStops } from '@autocoder/server-chat';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { FeatureToolsModule } from '@autocoder/server-feature-tools';
import { DynamicModule, Module } from '@nestjs/common';
import { CHAT_MODEL_PROVIDERS, ChatProviders } from './chat-providers';
import { ChatTurnRunner } from './chat-turn.runner';

/** Chat turns for the runner, with the model providers of its configuration. */
@Module({})
export class ChatTurnsModule {
  static forRoot(createProviders: (config: AppConfig) => ChatProviders): DynamicModule {
    return {
      module: ChatTurnsModule,
      imports: [FeatureToolsModule],
      providers: [
        { provide: CHAT_MODEL_PROVIDERS, inject: [APP_CONFIG], useFactory: createProviders },
        ChatStops,
        ChatTurnRunner,
      ],
      exports: [ChatTurnRunner, CHAT_MODEL_PROVIDERS],
    };
  }
}

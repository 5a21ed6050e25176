import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config-schema';
import { loadConfig } from './load-config';

/** Injection token of the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** Validates process.env (or the given values, in tests) and provides it as APP_CONFIG. */
  static forRoot(config: AppConfig = loadConfig()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}

import { AppConfig, SecretBox } from '@autocoder/server-config';
import { redisOptions } from '@autocoder/server-queue';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { ApiTokenPolicy, ApiTokensService } from './api-tokens.service';
import { AuthGuard } from './auth.guard';
import { ApiThrottlerGuard } from './rate-limit/api-throttler.guard';
import { AuthSettings, authSettings } from './auth-settings';
import {
  API_TOKEN_POLICY,
  AUTH_FAILURE_LIMIT,
  AUTH_SETTINGS,
  CONSOLE_SESSION,
  RATE_LIMIT_STORAGE,
  REFRESH_TOKEN_BOX,
} from './auth.tokens';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { authFailureLimit } from './rate-limit/auth-failure-limit';
import { FailOpenThrottlerStorage } from './rate-limit/fail-open-storage';
import { ApiTokenStrategy } from './strategies/api-token.strategy';
import { BearerJwtStrategy } from './strategies/bearer-jwt.strategy';
import { ConsoleSessionStrategy } from './strategies/console-session.strategy';
import { LocalStrategy } from './strategies/local.strategy';
import { RefusedCredentials } from './strategies/refused-credentials.service';
import { OidcClient } from './oidc/oidc-client.service';
import { consoleSession, ConsoleSession } from './session/console-session';
import { UsersService } from './users.service';

function apiTokenPolicy(config: AppConfig): ApiTokenPolicy {
  if (config.API_TOKEN_DEFAULT_TTL_DAYS > config.API_TOKEN_MAX_TTL_DAYS)
    throw new Error(
      `API_TOKEN_DEFAULT_TTL_DAYS (${config.API_TOKEN_DEFAULT_TTL_DAYS}) is above API_TOKEN_MAX_TTL_DAYS (${config.API_TOKEN_MAX_TTL_DAYS})`,
    );
  return {
    defaultTtlDays: config.API_TOKEN_DEFAULT_TTL_DAYS,
    maxTtlDays: config.API_TOKEN_MAX_TTL_DAYS,
    ownerInactiveDays: config.API_TOKEN_OWNER_INACTIVE_DAYS,
  };
}

/** Redis of console sessions and rate-limit counters, closed with the app. */
const AUTH_REDIS = Symbol('AUTH_REDIS');

@Injectable()
class SessionRedisCloser implements OnModuleDestroy {
  constructor(@Optional() @Inject(AUTH_REDIS) private readonly redis?: Redis) {}
  async onModuleDestroy(): Promise<void> {
    if (!this.redis) return;
    // quit() waits for a connection that may never come (Redis down): then just disconnect.
    if (this.redis.status === 'ready')
      await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }
}

/**
 * Who may call the api: OIDC sign-in for the console (sessions in Redis), bearer access tokens
 * of the IdP and personal API tokens for clients, or AUTH_MODE=none for one person on loopback.
 * Settings are checked here, at boot. Needs DbModule and AuditModule in the app.
 */
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig): DynamicModule {
    const settings: AuthSettings = authSettings(config);
    const sessionProviders =
      settings.mode === 'oidc'
        ? [
            {
              provide: CONSOLE_SESSION,
              inject: [AUTH_REDIS],
              useFactory: (redis: Redis): ConsoleSession =>
                consoleSession({
                  secret: settings.sessionSecret,
                  ttlSeconds: settings.sessionTtlSeconds,
                  secure: settings.secureCookies,
                  redis,
                  prefix: `${config.QUEUE_PREFIX}:sess:`,
                }),
            },
          ]
        : [{ provide: CONSOLE_SESSION, useValue: null }];
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_SETTINGS, useValue: settings },
        { provide: API_TOKEN_POLICY, useValue: apiTokenPolicy(config) },
        {
          provide: AUTH_REDIS,
          useFactory: () => {
            const redis = new Redis({
              ...redisOptions(config.REDIS_URL, 'producer'),
              enableOfflineQueue: true,
              // Sessions and rate limits answer or fail within a second, never hang a request.
              commandTimeout: 1000,
            });
            // Outages are reported where they matter (health, rate limits, sessions), not as
            // ioredis's unhandled error events.
            redis.on('error', () => undefined);
            return redis;
          },
        },
        {
          provide: RATE_LIMIT_STORAGE,
          inject: [AUTH_REDIS],
          useFactory: (redis: Redis) =>
            new FailOpenThrottlerStorage(new ThrottlerStorageRedisService(redis)),
        },
        { provide: AUTH_FAILURE_LIMIT, useValue: authFailureLimit(config) },
        {
          provide: REFRESH_TOKEN_BOX,
          useValue: new SecretBox(
            settings.mode === 'oidc' ? settings.sessionSecret : 'unused-without-sessions-unused!!',
            'session-refresh-tokens',
          ),
        },
        ...sessionProviders,
        SessionRedisCloser,
        ApiThrottlerGuard,
        ApiTokensService,
        OidcClient,
        UsersService,
        RefusedCredentials,
        ApiTokenStrategy,
        BearerJwtStrategy,
        ConsoleSessionStrategy,
        LocalStrategy,
        AuthGuard,
      ],
      exports: [
        AUTH_SETTINGS,
        RATE_LIMIT_STORAGE,
        REFRESH_TOKEN_BOX,
        CONSOLE_SESSION,
        ApiTokensService,
        OidcClient,
        UsersService,
        AuthGuard,
        ApiThrottlerGuard,
      ],
    };
  }
}

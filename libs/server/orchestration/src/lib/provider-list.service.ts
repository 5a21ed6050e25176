import { deploymentProviders, fetchOllamaTags, ProviderDeployment } from '@autocoder/server-models';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { QUEUE_SETTINGS, QueueSettings, redisOptions } from '@autocoder/server-queue';
import type { ProviderListView } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

/** The deployment's provider settings, read from the same variables the runner builds them from. */
export function providerDeploymentOf(config: AppConfig): ProviderDeployment {
  return {
    mode: config.LLM_PROVIDER,
    anthropicKey: config.ANTHROPIC_API_KEY !== undefined,
    anthropicModel: config.ANTHROPIC_MODEL,
    geminiKey: config.GEMINI_API_KEY !== undefined,
    geminiModel: config.GEMINI_MODEL,
    geminiToolModels: config.GEMINI_TOOL_MODELS.split(',')
      .map((m) => m.trim())
      .filter(Boolean),
    ollamaHost: config.OLLAMA_HOST,
    ollamaModel: config.OLLAMA_MODEL,
  };
}

/**
 * GET /providers: built from the configuration and the Ollama host's model list, cached in Redis
 * for PROVIDERS_CACHE_TTL_SECONDS so every api replica shares one answer and a console full of
 * pickers does not ask Ollama each time. Nothing that decides the list is editable at runtime
 * (it is all environment), so `refresh()` (POST /providers/refresh, after pulling a model) is
 * the invalidation. Without Redis the list is built each time rather than refused.
 */
@Injectable()
export class ProviderListService implements OnModuleDestroy {
  private readonly logger = new Logger(ProviderListService.name);
  private redis?: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(QUEUE_SETTINGS) private readonly queue: QueueSettings,
  ) {}

  get cacheKey(): string {
    return `${this.queue.prefix}:providers:v1`;
  }

  async list(): Promise<ProviderListView> {
    const cached = await this.cacheOp((r) => r.get(this.cacheKey));
    if (cached) {
      try {
        return JSON.parse(cached) as ProviderListView;
      } catch {
        // A value that does not parse is rebuilt below.
      }
    }
    return this.build();
  }

  /** Drops the cached list and builds it anew. */
  async refresh(): Promise<ProviderListView> {
    await this.cacheOp((r) => r.del(this.cacheKey));
    return this.build();
  }

  private async build(): Promise<ProviderListView> {
    const ttlSeconds = this.config.PROVIDERS_CACHE_TTL_SECONDS;
    const tags = await fetchOllamaTags(this.config.OLLAMA_HOST, this.config.OLLAMA_TAGS_TIMEOUT_MS);
    const view = deploymentProviders(providerDeploymentOf(this.config), tags, {
      checkedAt: new Date(),
      ttlSeconds,
    });
    await this.cacheOp((r) => r.set(this.cacheKey, JSON.stringify(view), 'EX', ttlSeconds));
    return view;
  }

  /** A cache read or write; a Redis failure is logged and treated as a miss. */
  private async cacheOp<T>(op: (redis: Redis) => Promise<T>): Promise<T | null> {
    this.redis ??= new Redis(redisOptions(this.queue.redisUrl, 'producer'));
    try {
      return await op(this.redis);
    } catch (err) {
      this.logger.warn(
        `provider list cache unavailable: ${err instanceof Error ? err.message : String(err)}`,
      );
      return null;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}

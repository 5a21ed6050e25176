import { DatabaseHealthIndicator } from '@autocoder/server-db';
import { JobWorkers, RedisHealthIndicator } from '@autocoder/server-queue';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { AgentSessionProcessor } from './agent-session.processor';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly sessions: AgentSessionProcessor,
    private readonly workers: JobWorkers,
  ) {}

  /** Ready when Postgres and Redis answer; also shows what this runner consumes and is doing. */
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.check(),
      () => this.redis.check(),
      async () => ({
        sessions: { status: 'up' as const, ...this.sessions.describe() },
        workers: { status: 'up' as const, ...this.workers.describe() },
      }),
    ]);
  }
}

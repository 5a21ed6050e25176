import { Public } from '@autocoder/server-auth';
import { DatabaseHealthIndicator } from '@autocoder/server-db';
import { RedisHealthIndicator } from '@autocoder/server-queue';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Operation } from '../http/operation.decorator';

/** Open to anyone: probes carry no credentials. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  /** The process is alive (no dependencies checked: a restart would not fix them). */
  @Get('live')
  @Operation('Liveness probe')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Postgres and Redis answer; 503 with the failing part otherwise. */
  @Get('ready')
  @Operation('Readiness probe (Postgres, Redis, runners)')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.check(),
      () => this.redis.check(),
      () => this.redis.workers(),
    ]);
  }
}

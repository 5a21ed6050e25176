import { OrchestrationModule } from '@autocoder/server-orchestration';
import { Module } from '@nestjs/common';
import { FleetService } from './fleet.service';

/** The fleet page's figures, for the api (Postgres, the job queues and the spend records). */
@Module({
  imports: [OrchestrationModule],
  providers: [FleetService],
  exports: [FleetService],
})
export class FleetModule {}

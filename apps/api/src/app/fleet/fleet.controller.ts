import { Allow } from '@autocoder/server-auth';
import { FleetService } from '@autocoder/server-fleet';
import { FleetView, FleetViewSchema } from '@autocoder/shared-contracts';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation } from '../http/operation.decorator';

@ApiTags('fleet')
@Controller('fleet')
export class FleetController {
  constructor(private readonly fleet: FleetService) {}

  /** Runners and their sessions, queue depths, sessions per hour, spend across projects. */
  @Get()
  @Operation('Get the runners, queues and sessions of the deployment', { returns: FleetViewSchema })
  @Allow('viewer')
  get(): Promise<FleetView> {
    return this.fleet.fleet();
  }
}

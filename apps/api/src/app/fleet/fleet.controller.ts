import { Allow } from '@autocoder/server-auth';
import { FleetService } from '@autocoder/server-fleet';
import { FleetView } from '@autocoder/shared-contracts';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

@ApiTags('fleet')
@Controller('fleet')
export class FleetController {
  constructor(private readonly fleet: FleetService) {}

  /** Runners and their sessions, queue depths, sessions per hour, spend across projects. */
  @Get()
  @Allow('viewer')
  get(): Promise<FleetView> {
    return this.fleet.fleet();
  }
}

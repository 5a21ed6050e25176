import { Audit } from '@autocoder/server-audit';
import { Allow } from '@autocoder/server-auth';
import { ScheduleService } from '@autocoder/server-schedules';
import { ScheduleView, ScheduleViewSchema } from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateScheduleDto, UpdateScheduleDto } from '../http/dto';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';
import { z } from 'zod';

/**
 * Weekly windows in which a project's agents run: a runner starts them at a window's start and
 * stops them at its end. A start or stop through the agents routes overrides the schedules until
 * the window ends (`override` on each schedule).
 */
@ApiTags('schedules')
@Controller('projects/:projectId/schedules')
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  /** 400 with a reason per field (time, zone, days, a window longer than the gap to the next). */
  @Post()
  @Operation('Create a schedule', { returns: ScheduleViewSchema })
  @Allow('admin')
  @Audit({ action: 'schedule.create', target: 'schedule' })
  create(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Body() body: CreateScheduleDto,
  ): Promise<ScheduleView> {
    return this.schedules.create(projectId, body);
  }

  /** Oldest first, each with its next start, the window holding now and what it last did. */
  @Get()
  @Operation("List a project's schedules", { returns: z.array(ScheduleViewSchema) })
  @Allow('viewer')
  list(@Param('projectId', ParseIdPipe) projectId: string): Promise<ScheduleView[]> {
    return this.schedules.list(projectId);
  }

  @Get(':scheduleId')
  @Operation('Get a schedule', { returns: ScheduleViewSchema })
  @Allow('viewer')
  get(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('scheduleId', ParseIdPipe) scheduleId: string,
  ): Promise<ScheduleView> {
    return this.schedules.get(projectId, scheduleId);
  }

  /**
   * Changes fields; the schedule must stay valid as a whole. Disabling it leaves agents it
   * started running (stop them through the agents routes).
   */
  @Patch(':scheduleId')
  @Operation('Update a schedule', { returns: ScheduleViewSchema })
  @Allow('admin')
  @Audit({ action: 'schedule.update', target: 'schedule', idParam: 'scheduleId' })
  update(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('scheduleId', ParseIdPipe) scheduleId: string,
    @Body() body: UpdateScheduleDto,
  ): Promise<ScheduleView> {
    return this.schedules.update(projectId, scheduleId, body);
  }

  /** Like disabling: agents it started keep running. */
  @Delete(':scheduleId')
  @Operation('Delete a schedule', { status: 204 })
  @Allow('admin')
  @Audit({ action: 'schedule.delete', target: 'schedule', idParam: 'scheduleId' })
  async remove(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('scheduleId', ParseIdPipe) scheduleId: string,
  ): Promise<void> {
    await this.schedules.remove(projectId, scheduleId);
  }
}

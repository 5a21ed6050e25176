import { Allow, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { Audit } from '@autocoder/server-audit';
import { RunsService } from '@autocoder/server-runs';
import {
  Page,
  RunDetailView,
  RunDetailViewSchema,
  RunEventsPageView,
  RunEventsPageViewSchema,
  RunPageSchema,
  RunView,
  RunViewSchema,
  SessionView,
  SessionViewSchema,
} from '@autocoder/shared-contracts';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ListRunsQueryDto, RunEventsQueryDto, StartRunDto } from '../http/dto';
import { RequestId } from '../http/request-id.decorator';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';
import { z } from 'zod';

@ApiTags('runs')
@Controller()
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  /** Records a run and enqueues it; 202 because the work happens on a runner. */
  @Post('projects/:projectId/runs')
  @Operation('Start a run', { returns: RunViewSchema, status: 202 })
  @Allow('admin')
  @Audit({ action: 'run.start', target: 'run' })
  start(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Body() _body: StartRunDto,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<RunView> {
    return this.runs.startInitializer(projectId, requestId, who.userId);
  }

  @Get('projects/:projectId/runs')
  @Operation("List a project's runs", { returns: RunPageSchema })
  @Allow('viewer')
  list(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: ListRunsQueryDto,
  ): Promise<Page<RunView>> {
    return this.runs.list(projectId, query);
  }

  /** Sessions queued or running now, with their turns so far and their newest tool call. */
  @Get('projects/:projectId/sessions')
  @Operation("List a project's running sessions", { returns: z.array(SessionViewSchema) })
  @Allow('viewer')
  sessions(@Param('projectId', ParseIdPipe) projectId: string): Promise<SessionView[]> {
    return this.runs.sessions(projectId);
  }

  /** The run with the first page of its stored log (GET runs/:runId/events for the rest). */
  @Get('runs/:runId')
  @Operation('Get a run with the start of its log', { returns: RunDetailViewSchema })
  @Allow('viewer')
  get(@Param('runId', ParseIdPipe) runId: string): Promise<RunDetailView> {
    return this.runs.get(runId);
  }

  /** The run's stored log after an event, oldest first, a page at a time. */
  @Get('runs/:runId/events')
  @Operation("Read a run's log", { returns: RunEventsPageViewSchema })
  @Allow('viewer')
  events(
    @Param('runId', ParseIdPipe) runId: string,
    @Query() query: RunEventsQueryDto,
  ): Promise<RunEventsPageView> {
    return this.runs.events(runId, query);
  }
}

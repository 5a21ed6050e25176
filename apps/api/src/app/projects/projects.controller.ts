import { Allow, ApiTokensService, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { Audit, AuditService } from '@autocoder/server-audit';
import { ProjectsService } from '@autocoder/server-projects';
import { RunsService } from '@autocoder/server-runs';
import { ProjectTimelineService } from '@autocoder/server-orchestration';
import {
  Page,
  ProjectDeletePreviewView,
  ProjectDeletePreviewViewSchema,
  ProjectPageSchema,
  ProjectStatsView,
  ProjectStatsViewSchema,
  ProjectTimelineView,
  ProjectTimelineViewSchema,
  ProjectView,
  ProjectViewSchema,
} from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { Request as ExpressRequest } from 'express';
import { ApiTags } from '@nestjs/swagger';
import {
  CreateProjectDto,
  ListProjectsQueryDto,
  StatsTimelineQueryDto,
  UpdateProjectDto,
} from '../http/dto';
import { RequestId } from '../http/request-id.decorator';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly runs: RunsService,
    private readonly timeline: ProjectTimelineService,
    private readonly tokens: ApiTokensService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Operation('List projects', { returns: ProjectPageSchema })
  @Allow('viewer')
  list(@Query() query: ListProjectsQueryDto): Promise<Page<ProjectView>> {
    return this.projects.list(query);
  }

  /** Creates a project; with `start: true` its initializer run is enqueued at once. */
  @Post()
  @Operation('Create a project', { returns: ProjectViewSchema })
  @Allow('admin')
  @Audit({ action: 'project.create', target: 'project' })
  async create(
    @Body() body: CreateProjectDto,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<ProjectView> {
    const project = await this.projects.create(body, who.userId);
    if (body.start) {
      await this.runs.startInitializer(project.id, requestId, who.userId);
      return this.projects.get(project.id);
    }
    return project;
  }

  @Get(':projectId')
  @Operation('Get a project', { returns: ProjectViewSchema })
  @Allow('viewer')
  get(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectView> {
    return this.projects.get(id);
  }

  @Patch(':projectId')
  @Operation('Update a project', { returns: ProjectViewSchema })
  @Allow('admin')
  @Audit({ action: 'project.update', target: 'project', idParam: 'projectId' })
  update(
    @Param('projectId', ParseIdPipe) id: string,
    @Body() body: UpdateProjectDto,
  ): Promise<ProjectView> {
    return this.projects.update(id, body);
  }

  /** What a delete would remove (features, runs, conversations, schedules), to confirm it. */
  @Get(':projectId/delete-preview')
  @Operation('Preview what deleting a project removes', { returns: ProjectDeletePreviewViewSchema })
  @Allow('viewer')
  deletePreview(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectDeletePreviewView> {
    return this.projects.deletePreview(id);
  }

  @Delete(':projectId')
  @Operation('Delete a project', { status: 204 })
  @Allow('admin')
  @Audit({ action: 'project.delete', target: 'project', idParam: 'projectId' })
  async remove(
    @Param('projectId', ParseIdPipe) id: string,
    @CurrentPrincipal() who: Principal,
    @Req() req: ExpressRequest & { id?: unknown },
  ): Promise<void> {
    // The project's tokens are deleted with it (cascade): each gets its revoke event, like a
    // revoke by hand, so the trail shows when a token stopped working.
    const tokens = await this.tokens.liveOfProject(id);
    await this.projects.remove(id);
    for (const token of tokens) {
      await this.audit.record({
        actorType: who.kind === 'api-token' ? 'token' : 'user',
        actorId: who.tokenId ?? who.userId,
        actorLabel: who.label,
        role: who.role,
        ip: req.ip ?? null,
        requestId: typeof req.id === 'string' ? req.id : null,
        action: 'api_token.revoke',
        targetType: 'api_token',
        targetId: token.id,
        projectId: id,
        before: token,
        after: { revoked: true, reason: 'project deleted' },
      });
    }
  }

  @Get(':projectId/stats')
  @Operation("Get a project's statistics", { returns: ProjectStatsViewSchema })
  @Allow('viewer')
  stats(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectStatsView> {
    return this.runs.stats(id);
  }

  /** Per UTC day: passing and total features, sessions, spend by kind; time per feature. */
  @Get(':projectId/stats/timeline')
  @Operation("Get a project's daily history", { returns: ProjectTimelineViewSchema })
  @Allow('viewer')
  statsTimeline(
    @Param('projectId', ParseIdPipe) id: string,
    @Query() query: StatsTimelineQueryDto,
  ): Promise<ProjectTimelineView> {
    return this.timeline.timeline(id, query.days);
  }
}

import { Allow, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { Audit } from '@autocoder/server-audit';
import { ProjectsService, RunsService } from '@autocoder/server-backlog';
import { ProjectTimelineService } from '@autocoder/server-engine';
import {
  Page,
  ProjectDeletePreviewView,
  ProjectStatsView,
  ProjectTimelineView,
  ProjectView,
} from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CreateProjectDto,
  ListProjectsQueryDto,
  StatsTimelineQueryDto,
  UpdateProjectDto,
} from '../http/dto';
import { RequestId } from '../http/request-id.decorator';
import { ParseIdPipe } from '../http/validation';

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly runs: RunsService,
    private readonly timeline: ProjectTimelineService,
  ) {}

  @Get()
  @Allow('viewer')
  list(@Query() query: ListProjectsQueryDto): Promise<Page<ProjectView>> {
    return this.projects.list(query);
  }

  /** Creates a project; with `start: true` its initializer run is enqueued at once. */
  @Post()
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
  @Allow('viewer')
  get(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectView> {
    return this.projects.get(id);
  }

  @Patch(':projectId')
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
  @Allow('viewer')
  deletePreview(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectDeletePreviewView> {
    return this.projects.deletePreview(id);
  }

  @Delete(':projectId')
  @Allow('admin')
  @Audit({ action: 'project.delete', target: 'project', idParam: 'projectId' })
  @HttpCode(204)
  async remove(@Param('projectId', ParseIdPipe) id: string): Promise<void> {
    await this.projects.remove(id);
  }

  @Get(':projectId/stats')
  @Allow('viewer')
  stats(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectStatsView> {
    return this.runs.stats(id);
  }

  /** Per UTC day: passing and total features, sessions, spend by kind; time per feature. */
  @Get(':projectId/stats/timeline')
  @Allow('viewer')
  statsTimeline(
    @Param('projectId', ParseIdPipe) id: string,
    @Query() query: StatsTimelineQueryDto,
  ): Promise<ProjectTimelineView> {
    return this.timeline.timeline(id, query.days);
  }
}

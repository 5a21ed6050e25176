import { Allow, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { Audit } from '@autocoder/server-audit';
import { AgentControlService, SpendService } from '@autocoder/server-orchestration';
import { RunWorkspaceService } from '@autocoder/server-code';
import {
  ProjectSpendView,
  ProjectSpendViewSchema,
  ProjectView,
  ProjectViewSchema,
} from '@autocoder/shared-contracts';
import { Body, Controller, Get, Header, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { StartAgentsDto } from '../http/dto';
import { RequestId } from '../http/request-id.decorator';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';

/** The coding agents of a project: start, pause, resume, stop; what they cost and changed. */
@ApiTags('agents')
@Controller()
export class AgentsController {
  constructor(
    private readonly control: AgentControlService,
    private readonly spend: SpendService,
    private readonly workspace: RunWorkspaceService,
  ) {}

  /** Starts coding sessions over the backlog (up to the project's concurrency). */
  @Post('projects/:projectId/agents/start')
  @Operation("Start a project's coding agents", { returns: ProjectViewSchema, status: 202 })
  @Allow('admin')
  @Audit({ action: 'agents.start', target: 'project', idParam: 'projectId' })
  start(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Body() body: StartAgentsDto,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<ProjectView> {
    return this.control.start(projectId, body, requestId, 'manual', who.userId);
  }

  /** Running sessions finish; no new ones start. */
  @Post('projects/:projectId/agents/pause')
  @Operation("Pause a project's agents", { returns: ProjectViewSchema, status: 200 })
  @Allow('admin')
  @Audit({ action: 'agents.pause', target: 'project', idParam: 'projectId' })
  pause(@Param('projectId', ParseIdPipe) projectId: string): Promise<ProjectView> {
    return this.control.pause(projectId);
  }

  @Post('projects/:projectId/agents/resume')
  @Operation("Resume a project's agents", { returns: ProjectViewSchema, status: 202 })
  @Allow('admin')
  @Audit({ action: 'agents.resume', target: 'project', idParam: 'projectId' })
  resume(
    @Param('projectId', ParseIdPipe) projectId: string,
    @CurrentPrincipal() who: Principal,
    @RequestId() requestId?: string,
  ): Promise<ProjectView> {
    return this.control.resume(projectId, requestId, who.userId);
  }

  /** Aborts running sessions now (their features return to the backlog) and cancels queued ones. */
  @Post('projects/:projectId/agents/stop')
  @Operation("Stop a project's agents now", { returns: ProjectViewSchema, status: 200 })
  @Allow('admin')
  @Audit({ action: 'agents.stop', target: 'project', idParam: 'projectId' })
  stop(@Param('projectId', ParseIdPipe) projectId: string): Promise<ProjectView> {
    return this.control.stop(projectId);
  }

  /** Spend per project and per feature, split into new work and regression checks. */
  @Get('projects/:projectId/spend')
  @Operation("Get a project's spend per feature", { returns: ProjectSpendViewSchema })
  @Allow('viewer')
  projectSpend(@Param('projectId', ParseIdPipe) projectId: string): Promise<ProjectSpendView> {
    return this.spend.forProject(projectId);
  }

  /** The project's main branch as a tar.gz. */
  @Get('projects/:projectId/repository.tar.gz')
  @Operation("Download a project's main branch as a tar.gz", {
    returns: 'binary',
    produces: ['application/gzip'],
  })
  @Allow('viewer')
  async download(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Res() res: Response,
  ): Promise<void> {
    const stream = await this.workspace.archive(projectId);
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Disposition', `attachment; filename="project-${projectId}.tar.gz"`);
    stream.on('error', (err: Error) => res.destroy(err));
    stream.pipe(res);
  }

  /** What a run changed, as a unified diff (empty when it changed nothing). */
  @Get('runs/:runId/diff')
  @Operation('Get what a run changed, as a unified diff', {
    returns: 'text',
    produces: ['text/x-diff'],
  })
  @Allow('viewer')
  @Header('Content-Type', 'text/x-diff; charset=utf-8')
  diff(@Param('runId', ParseIdPipe) runId: string): Promise<string> {
    return this.workspace.diff(runId);
  }
}

import { Allow, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { Audit } from '@autocoder/server-audit';
import { RemoteSettingsService } from '@autocoder/server-remotes';
import { ProjectRemoteView, ProjectRemoteViewSchema } from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SetProjectRemoteDto } from '../http/dto';
import { Operation } from '../http/operation.decorator';
import { ParseIdPipe } from '../http/validation';

/**
 * Where a project's canonical repository lives. The audit event's before and after are the
 * project's rows, which carry the remote's URL and user name but never its credential.
 */
@ApiTags('projects')
@Controller('projects/:projectId/remote')
export class ProjectRemoteController {
  constructor(private readonly remotes: RemoteSettingsService) {}

  @Get()
  @Operation("Get where a project's repository lives", { returns: ProjectRemoteViewSchema })
  @Allow('viewer')
  get(@Param('projectId', ParseIdPipe) id: string): Promise<ProjectRemoteView> {
    return this.remotes.view(id);
  }

  /** Moves the repository to the project's own remote (main is carried along); rotates its credential. */
  @Put()
  @Operation("Set a project's own git remote", {
    returns: ProjectRemoteViewSchema,
    errors: ['422'],
  })
  @Allow('admin')
  @Audit({ action: 'project.remote_set', target: 'project', idParam: 'projectId' })
  set(
    @Param('projectId', ParseIdPipe) id: string,
    @Body() body: SetProjectRemoteDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<ProjectRemoteView> {
    return this.remotes.set(id, body, who.label);
  }

  /** Moves the repository back to the bundled git server (main is carried along). */
  @Delete()
  @Operation("Move a project's repository back to the bundled git server", {
    returns: ProjectRemoteViewSchema,
    errors: ['422'],
  })
  @Allow('admin')
  @Audit({ action: 'project.remote_clear', target: 'project', idParam: 'projectId' })
  clear(
    @Param('projectId', ParseIdPipe) id: string,
    @CurrentPrincipal() who: Principal,
  ): Promise<ProjectRemoteView> {
    return this.remotes.clear(id, who.label);
  }
}

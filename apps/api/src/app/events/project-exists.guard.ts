import { ProjectsService } from '@autocoder/server-projects';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ParseIdPipe } from '../http/validation';

/**
 * An event stream answers its status before the handler runs (headers go out with the first
 * event, and with interceptors the handler runs inside the stream), so the project is checked
 * here: 400 for a malformed id, 404 for an unknown project, as on every other route.
 */
@Injectable()
export class ProjectExistsGuard implements CanActivate {
  constructor(private readonly projects: ProjectsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { projectId } = context.switchToHttp().getRequest<Request>().params;
    const id = new ParseIdPipe().transform(String(projectId), { type: 'param', data: 'projectId' });
    await this.projects.require(id);
    return true;
  }
}

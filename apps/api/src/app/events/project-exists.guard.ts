import { ProjectsService } from '@autocoder/server-projects';
import { BadRequestException, CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An event stream answers its status before the handler runs (headers go out with the first
 * event, and with interceptors the handler runs inside the stream), so the project is checked
 * here: 400 for a malformed id, 404 for an unknown project, as on every other route.
 */
@Injectable()
export class ProjectExistsGuard implements CanActivate {
  constructor(private readonly projects: ProjectsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const id = context.switchToHttp().getRequest<Request>().params['projectId'];
    if (typeof id !== 'string' || !UUID.test(id)) {
      throw new BadRequestException({ message: 'projectId must be a UUID' });
    }
    await this.projects.require(id);
    return true;
  }
}
